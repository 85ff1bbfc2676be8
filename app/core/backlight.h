/* backlight.h - the screen's backlight, switched off while the kiosk sleeps
 * (outside its open hours) and back on when it wakes.
 *
 * It works through the kernel's backlight class, a folder with one entry per
 * device (on a kiosk /sys/class/backlight; tests pass a folder of their own):
 *
 *   DIR/<device>/bl_power     0 on, 4 powered down (FB_BLANK_POWERDOWN)
 *   DIR/<device>/brightness   0 ... DIR/<device>/max_brightness
 *
 * Off means bl_power = 4 where the device has a writable bl_power, else
 * brightness = 0; the value each file had is kept and written back on wake.
 * The files belong to root: a udev rule gives group video the right to
 * write them (packaging/60-minping-backlight.rules, README "Deploying a
 * kiosk").  Where there is no device (a monitor on HDMI) or no file can be
 * written, nothing is switched and the kiosk's black frame is all there is:
 * that is said in one log line, the first time only.
 */
#ifndef MINPING_BACKLIGHT_H
#define MINPING_BACKLIGHT_H

/* The folder of a real kiosk. */
#define BACKLIGHT_SYS_DIR "/sys/class/backlight"

enum {
    BACKLIGHT_MAX_DEVICES = 8, /* devices switched; more are left alone */
    BACKLIGHT_POWERDOWN = 4,   /* bl_power when off */
};

typedef struct backlight backlight;

/* Prepares to switch the devices in dir (copied).  A kiosk starts with its
 * screen lit: a device left off by a kiosk that died asleep (bl_power not
 * 0, or brightness 0 where bl_power cannot be written) is switched on
 * again here, and that is logged.  Returns NULL only when out of memory. */
backlight *backlight_create(const char *dir);
/* Restores what is off (backlight_on), then frees b.  NULL: nothing. */
void backlight_destroy(backlight *b);

/* Switches every device of the folder off, keeping each value it changes.
 * Returns how many devices are off (0: the screen stays lit; the reason is
 * logged once in b's life).  Calling it again while off does nothing. */
int backlight_off(backlight *b);
/* Writes back every value backlight_off changed; a failure is logged (one
 * line per device).  Does nothing when nothing is off. */
void backlight_on(backlight *b);
/* How many devices backlight_off switched off and are not yet restored. */
int backlight_off_count(const backlight *b);

#endif

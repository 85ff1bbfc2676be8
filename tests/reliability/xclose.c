/* xclose.c - asks an X window to close, as a window manager's close button
 * or Alt+F4 does: a WM_PROTOCOLS client message carrying WM_DELETE_WINDOW
 * (xdotool's windowclose destroys the window instead, which no application
 * can refuse).  For the kiosk lockdown test.
 *   xclose WINDOW_ID    (decimal or 0x hex, e.g. from `xdotool search --pid`) */
#include <X11/Xlib.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: xclose WINDOW_ID\n", stderr);
        return 2;
    }
    Display *d = XOpenDisplay(NULL);
    if (!d) {
        fputs("xclose: cannot open the display\n", stderr);
        return 1;
    }
    Window w = (Window)strtoul(argv[1], NULL, 0);
    XEvent ev = {0};
    ev.xclient.type = ClientMessage;
    ev.xclient.window = w;
    ev.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
    ev.xclient.format = 32;
    ev.xclient.data.l[0] = (long)XInternAtom(d, "WM_DELETE_WINDOW", False);
    ev.xclient.data.l[1] = CurrentTime;
    int ok = XSendEvent(d, w, False, NoEventMask, &ev) != 0;
    XSync(d, False);
    XCloseDisplay(d);
    return ok ? 0 : 1;
}

/* raster.c - signed-distance shapes with one pixel of anti-aliasing. */
#include "raster.h"

#include <math.h>

static float clampf(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Coverage of a pixel whose centre lies at signed distance d (pixels) from
 * the edge, negative inside. */
static float coverage(float d, float soft)
{
    return clampf(0.5f - d / soft, 0.0f, 1.0f);
}

static uint32_t argb(float a, uint32_t rgb)
{
    uint32_t ai = (uint32_t)lroundf(clampf(a, 0, 1) * 255.0f);
    return (ai << 24) | (rgb & 0xFFFFFFu);
}

void raster_rounded_rect(uint32_t *px, int w, int h, float r, float soft)
{
    float hw = (float)w / 2.0f, hh = (float)h / 2.0f;
    float inset = soft > 1.0f ? soft / 2.0f : 0.0f;
    float bx = hw - inset, by = hh - inset;
    if (r > bx)
        r = bx;
    if (r > by)
        r = by;
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            float qx = fabsf((float)x + 0.5f - hw) - (bx - r);
            float qy = fabsf((float)y + 0.5f - hh) - (by - r);
            float ox = fmaxf(qx, 0.0f), oy = fmaxf(qy, 0.0f);
            float d = sqrtf(ox * ox + oy * oy) + fminf(fmaxf(qx, qy), 0.0f) - r;
            px[y * w + x] = argb(coverage(d, soft), 0xFFFFFF);
        }
    }
}

/* Distances in face units: the face is the disc of radius 1 around (0,0),
 * y grows downwards. */
static float sd_circle(float x, float y, float cx, float cy, float r)
{
    return hypotf(x - cx, y - cy) - r;
}

static float sd_segment(float x, float y, float ax, float ay, float bx, float by, float t)
{
    float px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
    float k = clampf((px * dx + py * dy) / (dx * dx + dy * dy), 0.0f, 1.0f);
    return hypotf(px - dx * k, py - dy * k) - t;
}

/* An arc of the circle (cx, cy, r) between angles a0..a1 (radians, a0 < a1,
 * measured with y down), stroked with half-width t and round caps. */
static float sd_arc(float x, float y, float cx, float cy, float r, float a0, float a1, float t)
{
    float ang = atan2f(y - cy, x - cx);
    if (ang < a0 && ang + 2.0f * (float)M_PI <= a1)
        ang += 2.0f * (float)M_PI;
    if (ang >= a0 && ang <= a1)
        return fabsf(hypotf(x - cx, y - cy) - r) - t;
    float d0 = hypotf(x - (cx + r * cosf(a0)), y - (cy + r * sinf(a0)));
    float d1 = hypotf(x - (cx + r * cosf(a1)), y - (cy + r * sinf(a1)));
    return fminf(d0, d1) - t;
}

static float sd_mouth(float x, float y, int points)
{
    const float pi = (float)M_PI;
    switch (points) {
    case 10: { /* open laughing mouth: lower half-disc */
        float disc = sd_circle(x, y, 0.0f, 0.12f, 0.46f);
        return fmaxf(disc, 0.12f - y);
    }
    case 8: /* smile */
        return sd_arc(x, y, 0.0f, 0.02f, 0.46f, 0.2f * pi, 0.8f * pi, 0.075f);
    case 6: /* straight */
        return sd_segment(x, y, -0.36f, 0.38f, 0.36f, 0.38f, 0.075f);
    default: /* frown */
        return sd_arc(x, y, 0.0f, 0.86f, 0.44f, 1.22f * pi, 1.78f * pi, 0.075f);
    }
}

static float sd_features(float x, float y, int points)
{
    float eyes = fminf(sd_circle(x, y, -0.34f, -0.24f, 0.11f), sd_circle(x, y, 0.34f, -0.24f, 0.11f));
    float d = fminf(eyes, sd_mouth(x, y, points));
    if (points == 0) { /* worried brows */
        float b1 = sd_segment(x, y, -0.50f, -0.50f, -0.20f, -0.58f, 0.05f);
        float b2 = sd_segment(x, y, 0.50f, -0.50f, 0.20f, -0.58f, 0.05f);
        d = fminf(d, fminf(b1, b2));
    }
    return d;
}

void raster_face(uint32_t *px, int size, int points, uint32_t face, uint32_t ink)
{
    float half = (float)size / 2.0f;
    float radius = half - 1.0f;          /* pixels per face unit */
    for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
            float fx = ((float)x + 0.5f - half) / radius;
            float fy = ((float)y + 0.5f - half) / radius;
            float disc = coverage((hypotf(fx, fy) - 1.0f) * radius, 1.0f);
            float feat = coverage(sd_features(fx, fy, points) * radius, 1.0f);
            /* Blend ink over face inside the disc. */
            uint32_t fr = face >> 16 & 255, fg = face >> 8 & 255, fb = face & 255;
            uint32_t ir = ink >> 16 & 255, ig = ink >> 8 & 255, ib = ink & 255;
            uint32_t r = (uint32_t)lroundf((float)fr + ((float)ir - (float)fr) * feat);
            uint32_t g = (uint32_t)lroundf((float)fg + ((float)ig - (float)fg) * feat);
            uint32_t b = (uint32_t)lroundf((float)fb + ((float)ib - (float)fb) * feat);
            px[y * size + x] = argb(disc, r << 16 | g << 8 | b);
        }
    }
}

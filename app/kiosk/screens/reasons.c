/* screens/reasons.c - the thank-you screen's reason buttons.
 *
 * After 一般 or 不满意, once the vote is stored and thanked, the thank-you
 * screen offers the reasons of kiosk.ini ([kiosk] reasons) as buttons,
 * reason.1 ... reason.N in that order.  One tap is the follow-up of that
 * vote (followup.h: vote_kiosk '', the vote's seq, reasons = the label,
 * channel kiosk): it is written through the vote worker like a vote, and
 * only once the write has returned does the screen show it recorded and
 * turn every button off (a vote has at most one follow-up).  A failed write
 * stores nothing, says so in Chinese and leaves the buttons on.  No tap, no
 * record; never a vote.  The buttons are as high as the action buttons (the
 * 15 % rule) and laid out in as few rows as give each label room. */
#include "app_int.h"
#include "clock.h"
#include "followup.h"
#include "log.h"
#include "theme.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

int reasons_offered(const app *a, const thanks_state *t)
{
    return a->cfg->n_reasons > 0 && (t->points == 6 || t->points == 0);
}

/* The inner margins of a button's label (as app_draw_button). */
static int label_dx(const app *a)
{
    return a->m.radius > 6 ? a->m.radius : 6;
}

/* The fewest rows in which each of the n buttons is at least min_w wide. */
static int rows_for(const app *a, int n, int w, int min_w)
{
    for (int rows = 1; rows < n; rows++) {
        int cols = (n + rows - 1) / rows;
        if ((w - (cols - 1) * a->m.gap) / cols >= min_w)
            return rows;
    }
    return n;
}

int reasons_rows(const app *a, const thanks_state *t, int w, int h)
{
    if (!reasons_offered(a, t))
        return 0;
    int n = (int)a->cfg->n_reasons;
    long longest = 1;
    for (int i = 0; i < n; i++) {
        long c = utf8_count_printable(a->cfg->reasons[i]);
        if (c > longest)
            longest = c;
    }
    /* Room for the longest label in two lines of body text; at the least
     * in two lines of the smallest text, and a square button. */
    int bh = (int)(a->m.s * THEME_BUTTON);
    int half = (int)((longest + 1) / 2);
    int body_w = half * a->m.body_px + 2 * label_dx(a);
    int least_w = half * a->m.min_px + 2 * label_dx(a);
    int rows_body = rows_for(a, n, w, body_w > bh ? body_w : bh);
    int rows_least = rows_for(a, n, w, least_w > bh ? least_w : bh);
    /* As many rows as body text wants while they take at most 45 % of the
     * height, so the thank-you above keeps its size; else fewer, smaller. */
    for (int rows = rows_body; rows > rows_least; rows--)
        if (rows * bh + (rows - 1) * a->m.gap <= h * 45 / 100)
            return rows;
    return rows_least;
}

void reasons_layout(const app *a, const thanks_state *t, ui_rect band, int rows, ui_rect note,
                    ui_frame *f)
{
    if (!reasons_offered(a, t) || rows < 1)
        return;
    const layout_metrics *m = &a->m;
    int n = (int)a->cfg->n_reasons;
    int cols = (n + rows - 1) / rows;
    int bw = (band.w - (cols - 1) * m->gap) / cols;
    int bh = (band.h - (rows - 1) * m->gap) / rows;
    for (int i = 0; i < n; i++) {
        int row = i / cols, col = i % cols;
        /* The last row, when shorter, is centred. */
        int in_row = row == rows - 1 ? n - row * cols : cols;
        int x0 = band.x + (band.w - (in_row * bw + (in_row - 1) * m->gap)) / 2;
        char id[UI_ID_MAX];
        snprintf(id, sizeof id, "reason.%d", i + 1);
        ui_element *e = app_add(f, TAG_REASON, i, id, a->cfg->reasons[i],
                                (ui_rect){x0 + col * (bw + m->gap), band.y + row * (bh + m->gap),
                                          bw, bh},
                                1);
        e->enabled = t->reason != REASON_STORED;
    }
    char text[UI_LABEL_MAX];
    if (t->reason == REASON_STORED)
        snprintf(text, sizeof text, "已记录：%s。谢谢您的意见！", a->cfg->reasons[t->chosen]);
    else if (t->reason == REASON_FAILED)
        snprintf(text, sizeof text, "原因未能保存，请告知工作人员（您的评价已保存）");
    else
        snprintf(text, sizeof text, "愿意的话，请点选主要原因（可不选）");
    app_add(f, TAG_THANKS_NOTE, 0, "thanks.note", text, note, 0);
}

void reasons_tap(app *a, int idx)
{
    thanks_state *t = &a->thanks;
    if (!reasons_offered(a, t) || idx < 0 || idx >= (int)a->cfg->n_reasons ||
        t->reason == REASON_STORED)
        return;
    if (t->vote_seq <= 0 || !a->store) /* the frame drawn ahead is never tapped */
        return;
    const char *label = a->cfg->reasons[idx];
    int64_t utc = clock_utc_now();
    followup_in in = {.vote_seq = t->vote_seq, .reasons = &label, .n_reasons = 1,
                      .comment = "", .channel = "kiosk", .created_utc = utc,
                      .utc_offset = clock_utc_offset(utc)};
    vote_job job = {.kind = VOTE_JOB_FOLLOWUP, .store = a->store, .followup = &in};
    vote_job_start(&a->worker, &job);
    mp_err err;
    int rc = vote_job_finish(&a->worker, &job, NULL, &err);
    if (rc == 0 && job.followup_res == FOLLOWUP_NO_VOTE)
        rc = mp_fail(&err, "vote %lld is not in the database", (long long)t->vote_seq);
    if (rc < 0) {
        log_error("reason for vote seq=%lld not stored: %s", (long long)t->vote_seq, err.msg);
        snprintf(a->status, sizeof a->status, "%s", err.msg);
        t->reason = REASON_FAILED;
        app_relayout(a);
        return;
    }
    if (job.followup_res == FOLLOWUP_DUPLICATE)
        log_warn("reason for vote seq=%lld not stored: the vote has a follow-up already",
                 (long long)t->vote_seq);
    else
        log_info("reason stored: vote seq=%lld reason=%s", (long long)t->vote_seq, label);
    t->reason = REASON_STORED;
    t->chosen = idx;
    /* Time to read that it is recorded. */
    int64_t left = (int64_t)a->cfg->thanks_seconds * 1000 + t->extra_ms - (a->now - t->since);
    if (left < THEME_REASON_LINGER_MS)
        t->extra_ms += THEME_REASON_LINGER_MS - left;
    app_relayout(a);
}

void reasons_draw(const app *a, const ui_frame *f)
{
    const thanks_state *t = f->state;
    const layout_metrics *m = &a->m;
    for (int i = 0; i < f->n_el; i++) {
        const ui_element *e = &f->el[i];
        if (e->tag == TAG_REASON && t->reason == REASON_STORED && e->arg == t->chosen) {
            /* The reason recorded: solid, in the colour of success. */
            draw_rrect(a->draw, e->r, m->radius, a->pal->ok, 255);
            int dx = label_dx(a), dy = m->radius / 2 > 4 ? m->radius / 2 : 4;
            ui_rect box = {e->r.x + dx, e->r.y + dy, e->r.w - 2 * dx, e->r.h - 2 * dy};
            text_box(a->text, a->ren, e->label, box, m->min_px, m->body_px, 2, a->pal->on_colour,
                     a->pal->ok, TEXT_CENTER);
        } else if (e->tag == TAG_REASON) {
            app_draw_button(a, f, i, a->pal->card, a->pal->card_text, m->body_px);
        } else if (e->tag == TAG_THANKS_NOTE) {
            uint32_t ink = t->reason == REASON_STORED   ? a->pal->ok_text
                           : t->reason == REASON_FAILED ? a->pal->danger_text
                                                        : a->pal->text;
            text_box(a->text, a->ren, e->label, e->r, m->min_px, m->body_px, 2, ink, a->pal->bg,
                     TEXT_CENTER);
        }
    }
}

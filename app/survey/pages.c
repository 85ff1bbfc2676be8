/* pages.c - the survey's pages (pages.h). */
#include "pages.h"
#include "rating.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

enum { FU_ACTION_MAX = 300 };

static void followup_form(html_buf *b, const survey_config *cfg, const char *action,
                          const char *csrf, int64_t vote_seq, int points);

static void head(html_buf *b, const char *title)
{
    html_put(b, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<meta name=\"referrer\" content=\"no-referrer\"><title>");
    html_esc(b, title);
    html_put(b, "</title><link rel=\"stylesheet\" href=\"/s/survey.css\"></head>\n<body>"
                "<header class=\"top\"><span class=\"brand\">民主测评 · 网上评价</span></header>"
                "\n<main>");
}

static void foot(html_buf *b)
{
    html_put(b, "</main>\n<footer>评价匿名进行，不记录姓名、电话等个人信息。</footer>"
                "</body></html>\n");
}

void pages_units(html_buf *b, const survey_config *cfg)
{
    head(b, "请选择单位 - 民主测评");
    html_put(b, "<h1>请选择您办事的单位</h1><nav class=\"units\">");
    for (size_t i = 0; i < cfg->n_units; i++) {
        html_put(b, "<a class=\"unit\" href=\"/u/");
        html_esc(b, cfg->units[i].code);
        html_put(b, "\">");
        html_esc(b, cfg->units[i].name);
        html_put(b, "</a>");
    }
    html_put(b, "</nav>");
    foot(b);
}

void pages_rating(html_buf *b, const config_unit *unit, const char *csrf)
{
    head(b, unit->name);
    html_put(b, "<p class=\"unit-name\">");
    html_esc(b, unit->name);
    html_put(b, "</p><h1>您对该单位的服务满意吗？</h1><form class=\"ratings\" method=\"post\" "
                "action=\"/u/");
    html_esc(b, unit->code);
    html_put(b, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
    html_esc(b, csrf);
    html_put(b, "\">");
    for (int i = 0; i < RATING_COUNT; i++)
        html_putf(b, "<button name=\"rating\" value=\"%d\">%s</button>", RATINGS[i].points,
                  RATINGS[i].label);
    html_put(b, "</form><p class=\"hint\">点一下即提交，每人每天对一个单位评价一次。</p>"
                "<p class=\"back\"><a href=\"/\">选择其他单位</a></p>");
    foot(b);
}

void pages_thanks(html_buf *b, const survey_config *cfg, const config_unit *unit, int points,
                  int64_t vote_seq, const char *csrf)
{
    const rating *r = rating_by_points(points);
    head(b, "谢谢您的评价");
    html_putf(b, "<div class=\"done r%d\"><h1>谢谢您的评价！</h1><p>您对 <b>", points);
    html_esc(b, unit->name);
    html_putf(b, "</b> 的评价：<b>%s</b>（%d 分）已记录。</p></div>", r ? r->label : "", points);
    if (csrf)
        followup_form(b, cfg, "/followup", csrf, vote_seq, points);
    html_put(b, "<p class=\"back\"><a href=\"/\">返回首页</a></p>");
    foot(b);
}

void pages_kiosk_followup(html_buf *b, const survey_config *cfg, const char *unit, int points,
                          const char *token, const char *csrf)
{
    const rating *r = rating_by_points(points);
    head(b, "评价意见");
    html_putf(b, "<div class=\"done r%d\"><h1>您的评价已记录</h1><p>您在终端上对 <b>", points);
    html_esc(b, unit);
    html_putf(b, "</b> 的评价：<b>%s</b>（%d 分）。</p></div>", r ? r->label : "", points);
    char action[FU_ACTION_MAX];
    snprintf(action, sizeof action, "/f/%s", token);
    followup_form(b, cfg, action, csrf, 0, points);
    html_put(b, "<p class=\"back\"><a href=\"/\">返回首页</a></p>");
    foot(b);
}


static void followup_form(html_buf *b, const survey_config *cfg, const char *action,
                          const char *csrf, int64_t vote_seq, int points)
{
    html_put(b, "<form class=\"followup\" method=\"post\" action=\"");
    html_esc(b, action);
    html_put(b, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
    html_esc(b, csrf);
    html_put(b, "\">");
    if (vote_seq > 0)
        html_putf(b, "<input type=\"hidden\" name=\"vote\" value=\"%" PRId64 "\">",
                  vote_seq);
    html_put(b, points >= 8 ? "<fieldset><legend>还有需要改进的地方吗？<small>（可选，可多选）"
                              "</small></legend>"
                            : "<fieldset><legend>愿意告诉我们哪里不满意吗？<small>（可选，可多选）"
                              "</small></legend>");
    for (size_t i = 0; i < cfg->n_reasons; i++) {
        html_put(b, "<label class=\"reason\"><input type=\"checkbox\" name=\"reason\" "
                    "value=\"");
        html_esc(b, cfg->reasons[i]);
        html_put(b, "\"><span>");
        html_esc(b, cfg->reasons[i]);
        html_put(b, "</span></label>");
    }
    html_put(b, "</fieldset><label class=\"comment\" for=\"comment\">其他意见或建议"
                "<small>（可选，不超过200字）</small></label>"
                "<textarea id=\"comment\" name=\"comment\" maxlength=\"200\" rows=\"4\">"
                "</textarea><button class=\"send\" name=\"send\" value=\"1\">提交意见"
                "</button></form>");
}

void pages_followup_done(html_buf *b)
{
    head(b, "意见已收到");
    html_put(b, "<div class=\"done\"><h1>意见已收到，谢谢！</h1><p>我们会转交该单位核实整改。"
                "</p></div><p class=\"back\"><a href=\"/\">返回首页</a></p>");
    foot(b);
}

static const struct problem {
    int status;
    const char *title;
    const char *text;
} PROBLEMS[] = {
    [PAGES_NOT_FOUND] = {404, "找不到该页面", "没有这个单位或页面。请从首页重新选择单位。"},
    [PAGES_FORGED] = {403, "页面已过期",
                      "评价未保存：页面已过期或不是从本站打开的。请返回重新打开评价页面"
                      "（浏览器需允许 Cookie）。"},
    [PAGES_BAD_FORM] = {400, "提交的内容无效", "评价未保存：提交的内容不完整或无效，请返回重试。"},
    [PAGES_TOO_LARGE] = {413, "提交的内容过长", "未保存：提交的内容过长。"},
    [PAGES_TOO_MANY] = {429, "操作过于频繁", "请求过于频繁，请稍后再试。"},
    [PAGES_UNAVAILABLE] = {503, "暂时无法保存",
                           "系统暂时无法保存您的评价，评价未记录。请稍后再试。"},
    [PAGES_BUSY] = {503, "系统繁忙", "系统繁忙，请稍后再试。"},
    [PAGES_DUPLICATE] = {409, "意见已提交过", "这次评价的意见已经提交过，无需再次提交。"},
    [PAGES_METHOD] = {405, "不支持的操作", "不支持这种请求。请从首页打开评价页面。"},
    [PAGES_BAD_TOKEN] = {403, "链接无效",
                         "这个链接无效（不完整、被改动或不是本县终端生成的），意见未保存。"
                         "请重新扫描终端上的二维码，或从首页评价。"},
    [PAGES_EXPIRED] = {410, "链接已过期",
                       "这个链接已超过24小时，意见未保存。您可以从首页直接评价。"},
    [PAGES_USED] = {409, "意见已提交过", "这次评价的意见已经提交过（每次评价只能提交一次），"
                                          "本次未保存。"},
};

int pages_problem_page(html_buf *b, pages_problem what)
{
    const struct problem *p = &PROBLEMS[what];
    head(b, p->title);
    html_put(b, "<div class=\"problem\"><h1>");
    html_esc(b, p->title);
    html_put(b, "</h1><p>");
    html_esc(b, p->text);
    html_put(b, "</p></div><p class=\"back\"><a href=\"/\">返回首页</a></p>");
    foot(b);
    return p->status;
}

/* ---- static files ---- */

static const char CSS[] =
    "*{box-sizing:border-box}"
    "html{-webkit-text-size-adjust:100%;text-size-adjust:100%}"
    "body{margin:0;background:#f3f5f7;color:#1f2933;"
    "font-family:\"Noto Sans CJK SC\",\"Noto Sans SC\",\"PingFang SC\",\"Hiragino Sans GB\","
    "\"Microsoft YaHei\",\"Source Han Sans SC\",system-ui,sans-serif;font-size:18px;"
    "line-height:1.5;min-height:100vh;display:flex;flex-direction:column}"
    ".top{background:#1f4e79;color:#fff;padding:14px 18px;font-weight:700;font-size:18px}"
    "main{flex:1;width:100%;max-width:960px;margin:0 auto;padding:18px 16px 28px}"
    "footer{color:#52606d;font-size:14px;text-align:center;padding:14px 16px 22px}"
    "h1{font-size:24px;line-height:1.35;margin:6px 0 18px}"
    ".unit-name{margin:4px 0 0;color:#1f4e79;font-weight:700;font-size:20px}"
    ".units{display:grid;gap:12px}"
    ".unit{display:flex;align-items:center;min-height:64px;padding:14px 18px;background:#fff;"
    "border:2px solid #d9e2ec;border-radius:14px;color:#1f2933;text-decoration:none;"
    "font-size:20px;font-weight:700}"
    ".unit::after{content:\"\\203A\";margin-left:auto;color:#1f6fb2;font-size:28px;"
    "padding-left:12px}"
    ".unit:hover,.unit:focus{border-color:#1f6fb2;background:#eef5fb;outline:none}"
    ".ratings{display:grid;gap:12px;margin:0}"
    ".ratings button{display:flex;align-items:center;gap:18px;width:100%;min-height:84px;"
    "padding:10px 22px;border:0;border-radius:16px;color:#fff;font:inherit;font-size:26px;"
    "font-weight:700;letter-spacing:2px;cursor:pointer;box-shadow:0 3px 0 rgba(11,31,51,.25)}"
    ".ratings button::before{content:\"\";flex:none;width:56px;height:56px;"
    "background:center/contain no-repeat}"
    ".ratings button:active{transform:translateY(2px);box-shadow:none}"
    ".ratings button:focus-visible{outline:4px solid #1f2933;outline-offset:3px}"
    "button[value=\"10\"]{background:#1e8e4e}"
    "button[value=\"10\"]::before{background-image:url(/s/face-10.svg)}"
    "button[value=\"8\"]{background:#5e9e2e}"
    "button[value=\"8\"]::before{background-image:url(/s/face-8.svg)}"
    "button[value=\"6\"]{background:#c77a00}"
    "button[value=\"6\"]::before{background-image:url(/s/face-6.svg)}"
    "button[value=\"0\"]{background:#d64541}"
    "button[value=\"0\"]::before{background-image:url(/s/face-0.svg)}"
    ".hint{color:#52606d;font-size:15px;margin:16px 0 0}"
    ".back{margin:22px 0 0;font-size:18px}"
    ".back a{color:#1f6fb2;display:inline-block;padding:8px 0}"
    ".done{background:#fff;border-radius:16px;padding:18px 20px;border-left:8px solid #1e8e4e}"
    ".done.r6{border-left-color:#c77a00}.done.r0{border-left-color:#d64541}"
    ".done.r8{border-left-color:#5e9e2e}"
    ".done h1{margin:0 0 6px;font-size:28px}.done p{margin:0}"
    ".problem{background:#fff;border-radius:16px;padding:18px 20px;"
    "border-left:8px solid #c0392b}.problem h1{margin:0 0 6px}.problem p{margin:0}"
    ".followup{margin-top:22px;background:#fff;border-radius:16px;padding:16px 18px 20px}"
    "fieldset{border:0;margin:0;padding:0;display:grid;gap:10px}"
    "legend{font-weight:700;font-size:20px;margin-bottom:10px;padding:0}"
    "small{font-weight:400;color:#52606d;font-size:15px}"
    ".reason{display:flex;align-items:center;gap:12px;min-height:56px;padding:10px 14px;"
    "border:2px solid #d9e2ec;border-radius:12px;cursor:pointer;font-size:19px}"
    ".reason input{width:26px;height:26px;margin:0;flex:none;accent-color:#1f6fb2}"
    ".reason:has(input:checked){border-color:#1f6fb2;background:#eef5fb}"
    ".comment{display:block;font-weight:700;margin:18px 0 8px}"
    "textarea{width:100%;font:inherit;font-size:18px;padding:10px 12px;border:2px solid #d9e2ec;"
    "border-radius:12px;resize:vertical}"
    "textarea:focus{border-color:#1f6fb2;outline:none}"
    ".send{margin-top:16px;width:100%;min-height:60px;border:0;border-radius:14px;"
    "background:#1f6fb2;color:#fff;font:inherit;font-size:22px;font-weight:700;cursor:pointer}"
    ".done h1{display:flex;align-items:center;gap:10px}"
    ".done h1::before{content:\"\";flex:none;width:34px;height:34px;"
    "background:url(/s/check.svg) center/contain no-repeat}"
    "@media (min-width:720px){"
    "main{padding:32px 28px 40px}h1{font-size:30px}"
    ".top{padding-left:calc((100% - 960px) / 2 + 28px)}"
    ".units{grid-template-columns:repeat(2,1fr)}"
    ".ratings{grid-template-columns:repeat(4,1fr);gap:16px}"
    ".ratings button{flex-direction:column;justify-content:center;min-height:220px;"
    "font-size:28px;gap:14px}"
    ".ratings button::before{width:96px;height:96px}"
    "fieldset{grid-template-columns:repeat(3,1fr)}}\n";

/* A face in white on the button's colour; mouth from happy to unhappy. */
#define FACE(mouth)                                                                           \
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 48 48\">"                        \
    "<circle cx=\"24\" cy=\"24\" r=\"21\" fill=\"none\" stroke=\"#fff\" stroke-width=\"3.5\"/>" \
    "<circle cx=\"17\" cy=\"19\" r=\"3\" fill=\"#fff\"/>"                                   \
    "<circle cx=\"31\" cy=\"19\" r=\"3\" fill=\"#fff\"/>"                                   \
    "<path d=\"" mouth "\" fill=\"none\" stroke=\"#fff\" stroke-width=\"3.5\" "             \
    "stroke-linecap=\"round\"/></svg>\n"

static const char CHECK[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 48 48\">"
    "<circle cx=\"24\" cy=\"24\" r=\"23\" fill=\"#1e8e4e\"/>"
    "<path d=\"M13 25 L21 33 L36 16\" fill=\"none\" stroke=\"#fff\" stroke-width=\"5\" "
    "stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>\n";

static const char FACE_10[] = FACE("M13 27 Q24 40 35 27");
static const char FACE_8[] = FACE("M15 29 Q24 35 33 29");
static const char FACE_6[] = FACE("M15 32 L33 32");
static const char FACE_0[] = FACE("M14 36 Q24 25 34 36");

const char *pages_static(const char *path, size_t *len, const char **type)
{
    static const struct file {
        const char *path, *type, *text;
        size_t len;
    } FILES[] = {
        {"/s/survey.css", "text/css; charset=utf-8", CSS, sizeof CSS - 1},
        {"/s/check.svg", "image/svg+xml", CHECK, sizeof CHECK - 1},
        {"/s/face-10.svg", "image/svg+xml", FACE_10, sizeof FACE_10 - 1},
        {"/s/face-8.svg", "image/svg+xml", FACE_8, sizeof FACE_8 - 1},
        {"/s/face-6.svg", "image/svg+xml", FACE_6, sizeof FACE_6 - 1},
        {"/s/face-0.svg", "image/svg+xml", FACE_0, sizeof FACE_0 - 1},
    };
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++)
        if (strcmp(path, FILES[i].path) == 0) {
            *len = FILES[i].len;
            *type = FILES[i].type;
            return FILES[i].text;
        }
    return NULL;
}

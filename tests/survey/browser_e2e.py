#!/usr/bin/env python3
"""A real browser on the online survey: headless Chromium, driven through
chromedriver's WebDriver protocol (JSON over HTTP, nothing but the Python
standard library), at 390x844 like a phone.

It provisions a survey with the real minping-office, starts minping-survey
on a free port, opens /, picks a unit, taps 不满意, sees 谢谢, ticks a reason,
types a comment and sends it; then checks the survey's database: one vote
(0 points, channel online) and its follow-up, no second vote.  With --shoot
it also renders a kiosk (provisioned by the same office, its survey_url
http://…/f/{token}) headless, casts a vote there, reads the link off its
thank-you screenshot with zbarimg, opens it, sends a follow-up, and sees the
same link refused the second time.  Then minping-survey export ->
minping-office import -> the report: 网上票数 and the reasons as sent.  With
--shots DIR it also saves each page at 390x844 and 1280x800 as PNG files.

Usage: browser_e2e.py MINPING_SURVEY MINPING_OFFICE FONT_DIR [--shoot SHOOT] [--shots DIR]
FONT_DIR is added to fontconfig's folders (the repository's fonts/), so the
Chinese text renders on a machine without a CJK font.  Exit 0: passed.
"""
import base64
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

UNITS = ["GA01=县公安局", "ZW01=县政务服务中心", "RS01=县人力资源和社会保障局",
         "XZ01=城关镇人民政府"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, fn, limit=30.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise SystemExit(f"browser_e2e: gave up waiting for {what}")


class Driver:
    """The few WebDriver commands the test needs."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", "--hide-scrollbars",
                         "--force-device-scale-factor=1", "--lang=zh-CN",
                         "--window-size=1280,900"],
            }}}}
        self.sid = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        if method == "POST" and data is None:
            data = b"{}"
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            raise SystemExit(f"browser_e2e: WebDriver {method} {path}: {e.read()[:400]!r}")

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.sid}{path}", body)

    def size(self, w, h):
        self.s("POST", "/goog/cdp/execute", {
            "cmd": "Emulation.setDeviceMetricsOverride",
            "params": {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": w < 600}})

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def find(self, css):
        el = self.s("POST", "/element", {"using": "css selector", "value": css})
        return list(el.values())[0]

    def click(self, css):
        self.s("POST", f"/element/{self.find(css)}/click")

    def type(self, css, text):
        self.s("POST", f"/element/{self.find(css)}/value", {"text": text})

    def source(self):
        return self.s("GET", "/source")

    def url(self):
        return self.s("GET", "/url")

    def shot(self, path, full=False):
        params = {"format": "png"}
        if full:
            params["captureBeyondViewport"] = True
            m = self.s("POST", "/goog/cdp/execute", {"cmd": "Page.getLayoutMetrics",
                                                     "params": {}})
            c = m["cssContentSize"]
            params["clip"] = {"x": 0, "y": 0, "width": c["width"], "height": c["height"],
                              "scale": 1}
        png = self.s("POST", "/goog/cdp/execute", {"cmd": "Page.captureScreenshot",
                                                   "params": params})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(png))

    def quit(self):
        try:
            self.call("DELETE", f"/session/{self.sid}")
        except SystemExit:
            pass


def main():
    args = sys.argv[1:]
    shots = shoot_bin = None
    if "--shots" in args:
        i = args.index("--shots")
        shots = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    if "--shoot" in args:
        i = args.index("--shoot")
        shoot_bin = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    survey, office, font_dir = (os.path.abspath(a) for a in args)
    work = tempfile.mkdtemp(prefix="minping-browser-")
    with open(os.path.join(work, "fonts.conf"), "w") as f:
        f.write('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                f'<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
                f'<dir>{os.path.abspath(font_dir)}</dir>'
                f'<cachedir>{work}/fc-cache</cachedir></fontconfig>')
    env = dict(os.environ, FONTCONFIG_FILE=os.path.join(work, "fonts.conf"))
    port = free_port()
    # A kiosk whose thank-you QR code leads to this survey's /f/{token}:
    # provisioned first, so that the survey's [kiosks] has its key.
    subprocess.run([office, "--db", "office.db", "provision", "--kiosk", "room-01",
                    "--unit", "RS01=县人力资源和社会保障局", "--unit", "GA01=县公安局",
                    "--survey-url", f"http://127.0.0.1:{port}/f/{{token}}", "--pin", "1234",
                    "--out", "kiosk"], cwd=work, check=True, stdout=subprocess.DEVNULL)
    cmd = [office, "--db", "office.db", "provision-survey", "--survey", "portal", "--out", "cfg"]
    for u in UNITS:
        cmd += ["--unit", u]
    subprocess.run(cmd, cwd=work, check=True, stdout=subprocess.DEVNULL)

    log = open(os.path.join(work, "server.log"), "w+")
    server = subprocess.Popen([survey, "--config", "cfg/survey.ini", "--listen",
                               f"127.0.0.1:{port}"],
                              cwd=work, stderr=log)
    drv_port = free_port()
    driver_proc = subprocess.Popen(["/usr/bin/chromedriver", f"--port={drv_port}"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    d = None
    try:
        def listening():
            log.seek(0)
            m = re.search(r"minping-survey: listening on (http://127\.0\.0\.1:\d+/)\n", log.read())
            return m and m.group(1)
        base = wait_for("the listening line", listening)

        def driver_up():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{drv_port}/status", timeout=2):
                    return True
            except OSError:
                return False
        wait_for("chromedriver", driver_up)
        d = Driver(drv_port)

        def shoot(name, w, h, full=False):
            if shots:
                d.shot(os.path.join(shots, f"survey-{w}x{h}-{name}.png"), full)

        # The phone: pick a unit, tap 不满意, give a reason.
        d.size(390, 844)
        d.go(base)
        assert "请选择您办事的单位" in d.source(), "the unit picker"
        shoot("units", 390, 844)
        d.click('a[href="/u/GA01"]')
        wait_for("the rating page", lambda: d.url().endswith("/u/GA01"))
        src = d.source()
        assert "县公安局" in src and 'value="0">不满意</button>' in src, "the rating page"
        shoot("rating", 390, 844)
        d.click('button[name="rating"][value="0"]')
        wait_for("the thank-you page", lambda: "谢谢" in d.source())
        shoot("thanks", 390, 844)
        shoot("thanks-full", 390, 844, full=True)
        d.click('input[name="reason"][value="服务态度差"]')
        d.click('input[name="reason"][value="多次跑腿"]')
        d.type('textarea[name="comment"]', "窗口等了一个小时，材料要求没有一次说清楚。")
        d.click('button[name="send"]')
        wait_for("the follow-up's thanks", lambda: "意见已收到" in d.source())
        assert "谢谢" in d.source()
        shoot("followup-done", 390, 844)
        d.go(base + "u/NOPE")
        assert "找不到" in d.source()
        shoot("not-found", 390, 844)

        # A desktop, for the screenshots.
        if shots:
            d.size(1280, 800)
            d.go(base)
            shoot("units", 1280, 800)
            d.go(base + "u/ZW01")
            shoot("rating", 1280, 800)
            d.click('button[name="rating"][value="6"]')
            wait_for("the thank-you page", lambda: "谢谢" in d.source())
            shoot("thanks", 1280, 800)
            d.size(360, 640)
            d.go(base + "u/RS01")
            shoot("rating", 360, 640)

        kiosk_url = None
        if shoot_bin:
            # The kiosk: a vote for RS01 (非常满意), its thank-you as presented.
            senv = dict(os.environ, SDL_VIDEODRIVER="offscreen", SDL_AUDIODRIVER="dummy",
                        SDL_FRAMEBUFFER_ACCELERATION="0",
                        MINPING_SHOOT_CONFIG=os.path.join(work, "kiosk", "kiosk.ini"),
                        MINPING_SHOOT_SURVEY_URL=f"{base}f/{{token}}")
            os.mkdir(os.path.join(work, "shots"))
            subprocess.run([shoot_bin, os.path.join(work, "shots"), "800x480"], env=senv,
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            kiosk_url = subprocess.run(
                ["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", os.path.join(work, "shots",
                                                        "800x480-thanks-presented.bmp")],
                check=True, capture_output=True, text=True).stdout.strip()
            assert kiosk_url.startswith(base + "f/room-01."), kiosk_url
            assert ".RS01.10." in kiosk_url, kiosk_url
            d.size(390, 844)
            d.go(kiosk_url)
            src = d.source()
            assert "县人力资源和社会保障局" in src and "非常满意" in src, "the kiosk vote's page"
            assert 'name="rating"' not in src, "the rating is asked again"
            shoot("kiosk-followup", 390, 844)
            d.click('input[name="reason"][value="办事效率低"]')
            d.type('textarea[name="comment"]', "自助机上评价后扫码补充：排队太久。")
            d.click('button[name="send"]')
            wait_for("the kiosk follow-up's thanks", lambda: "意见已收到" in d.source())
            d.go(kiosk_url)
            src = d.source()
            assert "意见已提交过" in src and "意见已收到" not in src, "the token used again"
            assert 'name="send"' not in src, "a used token still offers the form"

        db = sqlite3.connect(os.path.join(work, "cfg", "survey.db"))
        (n,) = db.execute("SELECT count(*) FROM votes WHERE unit_code = 'GA01' AND points = 0 "
                          "AND channel = 'online' AND flagged = 0").fetchone()
        assert n == 1, f"{n} votes for GA01"
        (f,) = db.execute("SELECT count(*) FROM followups WHERE unit_code = 'GA01' AND "
                          "reasons = '服务态度差|多次跑腿' AND comment LIKE '窗口等了%'").fetchone()
        assert f == 1, f"{f} follow-ups"
        (v,) = db.execute("SELECT count(*) FROM votes").fetchone()
        if shoot_bin:
            (k,) = db.execute("SELECT count(*) FROM followups WHERE vote_kiosk = 'room-01' AND "
                              "unit_code = 'RS01' AND reasons = '办事效率低'").fetchone()
            assert k == 1, f"{k} follow-ups of the kiosk vote"
        db.close()

        # To the office: export, import, report.
        out = subprocess.run([survey, "export", "--config", "cfg/survey.ini", "--out", "."],
                             cwd=work, check=True, capture_output=True, text=True).stdout
        export = out.strip().splitlines()[-1]
        subprocess.run([office, "--db", "office.db", "import", export], cwd=work, check=True,
                       stdout=subprocess.DEVNULL)
        rep = subprocess.run([office, "--db", "office.db", "report", "--format", "csv"],
                             cwd=work, check=True, capture_output=True,
                             text=True).stdout.lstrip("\ufeff")
        rows = {r.split(",")[0]: r.split(",") for r in rep.splitlines()}
        head = rows["单位代码"]
        online = {c: int(rows[c][head.index("网上票数")]) for c in ("GA01", "ZW01")}
        assert online["GA01"] == 1 and sum(online.values()) == v, (online, v)
        html = subprocess.run([office, "--db", "office.db", "report", "--format", "html"],
                              cwd=work, check=True, capture_output=True, text=True).stdout
        for text in ("服务态度差", "多次跑腿", "窗口等了一个小时"):
            assert text in html, f"the report lacks {text}"
        if shoot_bin:
            # Its reason counts for RS01 (comments are listed after 一般/不满意
            # only; this vote was 非常满意).
            assert "办事效率低" in html, "the kiosk follow-up's reason"
    finally:
        if d:
            d.quit()
        driver_proc.terminate()
        driver_proc.wait(timeout=30)
        server.terminate()
        rc = server.wait(timeout=30)
        if rc != 0:
            raise SystemExit(f"browser_e2e: minping-survey exited {rc} on SIGTERM")
        subprocess.run(["rm", "-rf", work])
    print("browser_e2e: passed")


if __name__ == "__main__":
    main()

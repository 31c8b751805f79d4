"""Re-take the README screenshots from a demo database: `sourcing demo --dir /tmp/demo`, then
`.venv/bin/python docs/screenshots.py ml-engineers` (needs Debian's chromium)."""
import socket
import sys
import threading
import time

import uvicorn
from playwright.sync_api import sync_playwright
from sourcing.config import load
from storage import make_engine
from sourcing.web.app import create_app
cfg = load("/tmp/demo/sourcing.toml")
eng = make_engine(cfg.database.url)
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
srv = uvicorn.Server(uvicorn.Config(create_app(eng, cfg), host="127.0.0.1", port=port, log_level="warning"))
threading.Thread(target=srv.run, daemon=True).start()
while not srv.started: time.sleep(0.05)
base = f"http://127.0.0.1:{port}"
name = cfg.searches[1].name if len(cfg.searches) > 1 else cfg.searches[0].name
print([x.name for x in cfg.searches])
with sync_playwright() as p:
    b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless","--no-sandbox","--disable-gpu","--disable-background-networking"])
    pg = b.new_page(viewport={"width": 1500, "height": 950})
    pg.goto(f"{base}/lists/{sys.argv[1]}")
    pg.screenshot(path="docs/lead-list.png")
    href = pg.locator("tr[data-person] a").first.get_attribute("href")
    pg.goto(base + href)
    pg.screenshot(path="docs/person.png", full_page=True)
    b.close()
srv.should_exit = True

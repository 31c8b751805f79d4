# Scrapy settings for the `spiders` project (the shape of Scrapy's project template).
#
# The runner (spiders/runner.py) overrides the politeness settings from the operator's config
# ([talks] contact, http_cache, autothrottle, download_delay) and sets the database, the mirror
# and one JOBDIR per site. Run by hand: `scrapy crawl pyvideo -a url=https://pyvideo.org/events/scipy-2023.html`
# with SOURCING_DB_URL (and SOURCING_SITES_MIRROR for the offline world) in the environment.
import os

BOT_NAME = "sourcing"

SPIDER_MODULES = ["spiders.spiders"]
NEWSPIDER_MODULE = "spiders.spiders"

ADDONS = {}

# Crawl responsibly by identifying yourself, with a contact address (config: [talks] contact)
USER_AGENT = "sourcing-talks/0.1 (+mailto:{})".format(
    os.environ.get("SOURCING_CONTACT", "sourcing-operator@example.invalid")
)

# Obey robots.txt rules
ROBOTSTXT_OBEY = True

# Concurrency and throttling settings
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
DOWNLOAD_TIMEOUT = 30

# AutoThrottle: adapt the delay to the server's latency, never faster than DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Retries: transient server errors and rate limiting, a few times with Scrapy's backoff
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Huge pages: warn at 5 MB, abandon at 20 MB (a schedule export is well under a megabyte)
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024

# Disable cookies, the telnet console and the remote-control server: nothing logs in, nothing listens
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
EXTENSIONS = {"scrapy.extensions.remote_control.RemoteControl": None}

DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,application/json;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
}

# http(s) through the mirror handler: a pass-through unless SOURCING_SITES_MIRROR is set
DOWNLOAD_HANDLERS = {
    "http": "spiders.mirror.MirrorDownloadHandler",
    "https": "spiders.mirror.MirrorDownloadHandler",
}

# One pipeline: items -> storage rows, written in batches through sourcing.collect.Sink
ITEM_PIPELINES = {
    "spiders.pipelines.StoragePipeline": 300,
}

# HTTP cache for development (config: [talks] http_cache = true)
HTTPCACHE_ENABLED = os.environ.get("SOURCING_HTTP_CACHE", "") in ("1", "true", "yes")
HTTPCACHE_EXPIRATION_SECS = 24 * 3600
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_IGNORE_HTTP_CODES = [500, 502, 503, 504, 429]
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"

# Resumable crawl state: the runner sets one JOBDIR per site and removes it when the site's
# crawl finished; a crawl that was stopped resumes from it next time.
JOBDIR = os.environ.get("SOURCING_JOBDIR") or None

# sourcing's own settings
SOURCING_DB_URL = os.environ.get("SOURCING_DB_URL")  # where the pipeline writes
SOURCING_SITES_MIRROR = os.environ.get("SOURCING_SITES_MIRROR")  # e.g. http://127.0.0.1:8765/sites/
SOURCING_BATCH_SIZE = 500  # records per transaction

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("SOURCING_SCRAPY_LOG_LEVEL", "INFO")

"""Scrapy project for conference talks and proceedings: settings, items, one spider per site
family (pretalx, frab, PyVideo, proceedings), a storage pipeline and the child-process runner."""

"""Admin hooks of the API: the "Preview on front end" action on articles.

See ``website.api.articles.preview``.
"""

from wagtail import hooks

from website.api.articles import preview

hooks.register("register_admin_urls", preview.admin_urls)
hooks.register("register_page_header_buttons", preview.page_buttons)
hooks.register("register_page_listing_more_buttons", preview.page_buttons)

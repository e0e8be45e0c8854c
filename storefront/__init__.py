"""The web storefront and seller pages: server-rendered HTML over the gateway's own JSON API."""

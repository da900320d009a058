"""The vendor API's HTTP surface, one router per area; :func:`vendor_server.app.create_app` assembles them.

The routes only translate: HTTP in (headers, bodies, query strings), a call to
a framework-free service (:mod:`vendor_server.tickets`,
:mod:`vendor_server.uploads`, :mod:`vendor_server.attachments`,
:mod:`vendor_server.shop_acts`, :mod:`vendor_server.timeline`), and the
answer out as a message of :mod:`pmv_protocol.wire` or :mod:`pmv_protocol.thread`.
"""

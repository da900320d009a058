"""The PMV POS database schema, as far as this app reads it.

Weights are integer milligrams; prices are integer VND per chỉ; times are
local shop time in ISO text (that is how the POS writes them).

``invoices`` holds the POS's documents of both kinds: ``sell`` rows are
sales invoices in the e-invoice series (``1C26TVG``: the digits are the year
the invoice was made, Circular 78/2021 art. 4), ``buy`` rows are buy-backs
from customers, which are purchase records (bảng kê thu mua) numbered in
their own series (``BK26``), never in the sales series.  Older POS versions
kept both in one series; the checks judge each series on its own, so both
layouts read correctly.

``invoice_payments`` came with POS 5.8 (split payments: part transfer, part
cash).  An older POS has no such table, and an invoice without payment lines
was paid whole by its ``payment_method``: readers must handle both.
"""

POS_SCHEMA = """
CREATE TABLE pos_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE purities (
    code      TEXT PRIMARY KEY,          -- '9999', '750', ...
    name      TEXT NOT NULL,             -- 'Vàng 24K (9999)'
    per_mille INTEGER NOT NULL
);
CREATE TABLE gold_prices (
    id               INTEGER PRIMARY KEY,
    purity_code      TEXT NOT NULL REFERENCES purities(code),
    buy_vnd_per_chi  INTEGER NOT NULL,   -- the shop buys from customers at this price
    sell_vnd_per_chi INTEGER NOT NULL,   -- the shop sells at this price
    updated_at       TEXT NOT NULL
);
CREATE INDEX ix_gold_prices_purity_time ON gold_prices(purity_code, updated_at);
CREATE TABLE items (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,    -- printed as the tag's barcode
    name            TEXT NOT NULL,
    purity_code     TEXT NOT NULL REFERENCES purities(code),
    gold_weight_mg  INTEGER NOT NULL,
    stone_weight_mg INTEGER NOT NULL DEFAULT 0,
    labor_vnd       INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('in_stock', 'sold')),
    created_at      TEXT NOT NULL
);
CREATE TABLE customers (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    phone     TEXT,
    id_number TEXT
);
CREATE TABLE invoices (
    id             INTEGER PRIMARY KEY,
    series         TEXT NOT NULL,           -- e-invoice series, e.g. '1C26TVG'
    number         INTEGER NOT NULL,        -- sequential within the series
    kind           TEXT NOT NULL CHECK (kind IN ('sell', 'buy')),
    issued_at      TEXT NOT NULL,
    customer_id    INTEGER REFERENCES customers(id),
    payment_method TEXT NOT NULL CHECK (payment_method IN ('cash', 'bank_transfer', 'card', 'e_wallet', 'voucher')),
    total_vnd      INTEGER NOT NULL,
    status         TEXT NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'void')),
    UNIQUE (series, number)
);
CREATE INDEX ix_invoices_issued_at ON invoices(issued_at);
CREATE TABLE invoice_lines (
    id                     INTEGER PRIMARY KEY,
    invoice_id             INTEGER NOT NULL REFERENCES invoices(id),
    item_code              TEXT,
    description            TEXT NOT NULL,
    purity_code            TEXT NOT NULL REFERENCES purities(code),
    gold_weight_mg         INTEGER NOT NULL,
    unit_price_vnd_per_chi INTEGER NOT NULL,
    labor_vnd              INTEGER NOT NULL DEFAULT 0,
    amount_vnd             INTEGER NOT NULL
);
CREATE TABLE invoice_payments (
    id         INTEGER PRIMARY KEY,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    method     TEXT NOT NULL CHECK (method IN ('cash', 'bank_transfer', 'card', 'e_wallet', 'voucher')),
    amount_vnd INTEGER NOT NULL
);
CREATE INDEX ix_invoice_payments_invoice ON invoice_payments(invoice_id);
"""

# How the POS records a payment.  Which of them count as payment through a bank
# payment account is not decided here but by the installed regulation pack.
PAYMENT_METHODS: tuple[str, ...] = ("cash", "bank_transfer", "card", "e_wallet", "voucher")
# Document kinds in ``invoices``: the shop sells (a sales invoice) or buys back (a purchase record).
SELL = "sell"
BUY = "buy"
# The table older POS versions do not have (see the module doc).
PAYMENTS_TABLE = "invoice_payments"

# (code, name, per mille) — the purities DESIGN.md lists.
PURITIES: list[tuple[str, str, int]] = [
    ("9999", "Vàng 24K (9999)", 9999),
    ("999", "Vàng 999", 999),
    ("99", "Vàng 99", 990),
    ("98", "Vàng 98", 980),
    ("750", "Vàng 18K (750)", 750),
    ("610", "Vàng 610", 610),
    ("585", "Vàng 14K (585)", 585),
    ("417", "Vàng 10K (417)", 417),
]

# The tables above in an order that satisfies their foreign keys: how a copy of
# a POS (the demo loaded into a server database, a test fixture) is filled.
POS_TABLES: tuple[str, ...] = ("pos_info", "purities", "gold_prices", "items", "customers", "invoices",
                               "invoice_lines", "invoice_payments")

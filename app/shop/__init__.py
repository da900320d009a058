"""The shop's gold-trading system (PMV POS) as this app sees it: its database
schema, a read-only reader, and the demo-shop generator.  The app never
writes to a real shop's POS database."""

"""First-run setup (Qt-free): find the shop's POS install and prove its database before the wizard saves it."""

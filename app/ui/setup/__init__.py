"""The first-run setup wizard (Thiết lập cửa hàng): find the POS, enrol, devices, first check."""

"""Health checks of the shop's system (Qt-free).  The runner, the checks of
the POS system and the report arrive with their own issue; the model lives
here so features can contribute their checks."""

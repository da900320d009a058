"""``app.warranty.contract.Contract``: a stable entry point (DESIGN.md, "Stable entry points").

The signed contract's reading lives in :mod:`pmv_protocol.contract`, shared with the vendor's server; the
name the shop's side has always offered stays.
"""

from pmv_protocol.contract import Contract, ContractError, ContractProblem

__all__ = ["Contract", "ContractError", "ContractProblem"]

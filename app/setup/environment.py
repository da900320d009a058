"""What the setup reads from this PC and the vendor, in one injectable object.

The wizard and ``pmv-support setup`` take a :class:`SetupEnvironment`; :meth:`SetupEnvironment.for_runtime`
builds the real one (this PC's install folders, registry and processes, its serial ports and printer
queues, the vendor server of the settings, the shipped trusted keys).  Tests build one with a demo shop
placed where an install would be and the real vendor server on loopback.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.setup.devices_found import FoundDevices, find_devices
from app.setup.enrolment import Enrolment, enrol
from app.setup.pending import PendingEnrolment
from app.setup.pos_discovery import InstallPlaces, PosInstall, find_installs
from app.setup.typed_code import read_typed_code

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from app.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class SetupEnvironment:
    places: Callable[[], InstallPlaces]
    vendor_url: str
    trusted_keys: Callable[[], Mapping[str, Ed25519PublicKey]]  # the contract keys
    pending: PendingEnrolment
    devices: Callable[[], FoundDevices] = find_devices
    timeout: float = 15.0
    _keys: Mapping[str, Ed25519PublicKey] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def for_runtime(cls, runtime: Runtime) -> SetupEnvironment:
        from app.infra.keys import load_trusted_keys

        vendor = runtime.settings.vendor
        return cls(places=InstallPlaces.for_this_pc, vendor_url=vendor.base_url,
                   trusted_keys=lambda: load_trusted_keys("contract", *runtime.extra_key_files),
                   pending=PendingEnrolment(runtime.paths.data_dir, runtime.token_store),
                   timeout=vendor.timeout_seconds)

    def keys(self) -> Mapping[str, Ed25519PublicKey]:
        with self._lock:
            if self._keys is None:
                self._keys = self.trusted_keys()
            return self._keys

    def find_installs(self) -> list[PosInstall]:
        """Blocking: folders, registry and processes are read; run it in a worker."""
        return find_installs(self.places())

    def enrol(self, typed_code: str) -> Enrolment:
        """Blocking: trade the code, then keep the answer (the token in the keyring) before returning it.

        The code is spent the moment the server answers, so an answer that cannot be kept (the data folder or
        the keyring refuses the write) is still returned: this setup goes on with it and stores it where it
        belongs on the last page (the token again, the contract, the shop in the settings); only a setup
        cancelled after that would need a new code.  It used to end here with "nothing was changed", the code
        spent and the answer lost.

        A code this install already traded (its enrolment kept in the data folder: a setup that could not write
        its settings, run again) gives the kept enrolment without asking the server, which would refuse it as
        used once the replay window is over.  An enrolment kept by an earlier version did not record its code:
        it is never taken for this code's (another shop's code, used elsewhere, set the till up as the kept
        shop); the setup run without a code still finishes it.
        """
        reading = read_typed_code(typed_code)
        kept = self.pending.load_for(reading.code) if reading.code is not None else None
        if kept is not None and kept[1] is True:
            log.info("this code was traded by this install already: its kept enrolment (%s) is used", kept[0].shop_id)
            return kept[0]
        enrolment = enrol(self.vendor_url, reading.code or typed_code, self.keys(), timeout=self.timeout,
                          key=self.pending.attempt_key())
        try:
            self.pending.keep(enrolment, reading.code)
        except OSError as exc:
            log.warning("the enrolment answer could not be kept in %s (%s); setup goes on with it",
                        self.pending.file, exc)
        return enrolment

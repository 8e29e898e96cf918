"""A virtio-pci modern transport driver built only on pcikit's public API, and its mock devices.

* :mod:`.transport` — the driver (finds the virtio structures, resets, negotiates
  features, programs MSI-X, sets up queues, reaches DRIVER_OK, handles interrupts);
* :mod:`.models` — virtio-net and virtio-blk as :class:`pcikit.testing.MockDevice` models;
* ``python -m examples.virtio_driver`` — run the driver against a mock, or list the
  features of live virtio devices read-only (``--live``).
"""

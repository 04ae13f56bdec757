"""Consultations (征询, 协商): one question put to residents, online, at a meeting or on
paper, with its options and how it ended: ``data/consultations/<id>.yaml``.

The registry entry is ``kind.KIND``; importing the model does not load the rest."""

"""Consent says "call" where it said "phone": one channel vocabulary with the dunning levels."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("UPDATE dunning_consent SET channel = 'call' WHERE channel = 'phone'")

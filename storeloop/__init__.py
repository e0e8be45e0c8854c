"""The ground floor: settings and request ids, imported by every package; imports none of them."""

"""The seed walkthrough (orders 1210-1213) through the Python binding (placeholder)."""

import license_inventory

print(f"license_inventory {license_inventory.__version__}")

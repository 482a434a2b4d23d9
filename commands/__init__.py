"""Platform-neutral commands, one module each; each declares its commands once in a module-level COMMANDS tuple.

bot/wiring.py lists every module in the FEATURES it belongs to (no import-time scanning).
"""

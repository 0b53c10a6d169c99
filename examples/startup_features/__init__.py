"""The subcommands of ``examples/startup_profile.py``, one module each.

Each module imports what its command needs at module level, as most command-line
tools do; eagerly, every run of the tool pays for all of them.
"""

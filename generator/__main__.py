"""``python -m generator`` and the ``portal`` command (``run``)."""

import gc


def run() -> None:
    # The start-up creates ~100,000 objects (every kind's models and checks) that live until the
    # end: the cyclic collector's passes over them while importing were ~8% of a warm
    # `portal check` (the check itself pauses it too, ``pipeline._gc_paused``).
    gc.disable()
    try:
        from generator.cli import main
    finally:
        gc.enable()
    main()


if __name__ == "__main__":
    run()

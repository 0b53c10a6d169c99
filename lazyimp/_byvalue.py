"""``lazyimp.ByValue``: an envelope that sends an object by value (contract C11.3, C11.4).

For executors that never consult multiprocessing's pickler (Dask, joblib/loky).
"""

from __future__ import annotations

from . import _pickler, _roots

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class ByValue:
    """Send ``obj`` by value through cloudpickle, whatever pickler carries it.

    For executors that pickle with plain ``pickle`` or their own cloudpickle and
    never consult multiprocessing's pickler (Dask, joblib/loky), when the workers
    cannot import the package: ``client.submit(lazyimp.ByValue(pkg.models.work), 3)``.
    Calling the envelope calls ``obj``; ``.obj`` is the object.  It unpickles as an
    envelope again, so that it keeps travelling by value when it is forwarded (a Dask
    scheduler unpickles tasks and pickles them again for the worker with plain
    pickle).  The payload is made each time the envelope is pickled, with every
    path-imported package registered by value for that one call.
    """

    __slots__ = ("obj",)

    def __init__(self, obj: Any) -> None:
        self.obj = obj

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.obj(*args, **kwargs)

    def __repr__(self) -> str:
        return f"lazyimp.ByValue({self.obj!r})"

    def __reduce__(self) -> Any:
        return _make_by_value, (_by_value_payload(self.obj),)


def _by_value_payload(obj: Any) -> bytes:
    import cloudpickle

    # cloudpickle's registry is process-wide: a cloudpickle.dumps running in another
    # thread during this call may also send these packages by value.
    with _pickler._LOCK:
        before = set(_pickler._cp_registered)
        for name in _roots.registered_roots():
            _pickler._register_by_value(name)
        added = _pickler._cp_registered - before
        try:
            payload: bytes = cloudpickle.dumps(obj)
            return payload
        finally:
            if added and not (_pickler._installed and _pickler._mode == "value"):
                _pickler._unregister_by_value(added)


def _make_by_value(payload: bytes) -> ByValue:
    import pickle

    return ByValue(pickle.loads(payload))

"""A model serves several Python threads at once (ctypes releases the GIL during each call)."""
import threading

import numpy as np

import backprop

THREADS = 8
ROUNDS = 200


def test_eight_threads_agree_with_one(text_categories):
    m = backprop.load(text_categories.model)
    rng = np.random.default_rng(12)
    tiers = list(m.categories("tier").values())
    x = np.column_stack([rng.uniform(200, 800, 500), rng.uniform(2, 4, 500), rng.choice(tiers, 500)])
    single = m.predict(x)
    results, errors = [None] * THREADS, []
    start = threading.Barrier(THREADS)

    def work(index):
        try:
            start.wait()
            out = None
            for _ in range(ROUNDS):
                out = m.predict(x)
                if not np.array_equal(out, single):
                    errors.append(f"thread {index}: differs")
                    return
            results[index] = out
        except Exception as error:  # noqa: BLE001: reported below
            errors.append(f"thread {index}: {error}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(r is not None and np.array_equal(r, single) for r in results)
    assert len(np.unique(single)) > 100

#!/usr/bin/env python3
"""Pages written per commit, by B-tree, from a SQLite WAL (BENCHMARKS.md,
"Where a new alert's commit goes").

    bench/wal-pages.py DATA_DIR

DATA_DIR holds hypercare.db and hypercare.db-wal as a server killed with
kill -9 under load left them (a clean stop checkpoints and removes the WAL).
The WAL's frame headers name each frame's page and mark commit frames; the
frames of the longest run with one salt (one pass of the WAL) are grouped
into commits, and the pages mapped to their B-trees with SQLite's dbstat
(on a copy, so the database is left as it was). Prints the commits read,
the pages each wrote on average, and per B-tree the pages per commit.
"""
import collections
import os
import shutil
import sqlite3
import struct
import sys
import tempfile

data = sys.argv[1]
wal = open(os.path.join(data, "hypercare.db-wal"), "rb").read()
page_size = struct.unpack(">I", wal[8:12])[0]
frames, off = [], 32
while off + 24 + page_size <= len(wal):
    page, commit, s1, s2 = struct.unpack(">IIII", wal[off:off + 16])
    frames.append((page, commit, (s1, s2)))
    off += 24 + page_size
salt = collections.Counter(f[2] for f in frames).most_common(1)[0][0]
commits, cur = [], []
for page, commit, s in frames:
    if s != salt:
        continue
    cur.append(page)
    if commit:
        commits.append(set(cur))
        cur = []
if not commits:
    sys.exit("no commit in the WAL")
with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, "copy.db")
    shutil.copy(os.path.join(data, "hypercare.db"), db)
    shutil.copy(os.path.join(data, "hypercare.db-wal"), db + "-wal")
    conn = sqlite3.connect(db)
    tree = {page: name for name, page in conn.execute("SELECT name, pageno FROM dbstat")}
    conn.close()
by_tree = collections.Counter(tree.get(p, "?") for c in commits for p in c)
n = len(commits)
print(f"{n} commits, {sum(len(c) for c in commits) / n:.1f} pages each, {len(by_tree)} B-trees")
for name, count in by_tree.most_common():
    print(f"{count / n:6.2f}  {name}")

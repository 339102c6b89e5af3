# Longest functions in src/: counts lines from a `fn` line to its closing
# brace at the same indentation. Usage: python3 longest.py SRC_DIR [N]
import os, re, sys
root = sys.argv[1]; n = int(sys.argv[2]) if len(sys.argv) > 2 else 8
found = []
for dirpath, _, files in os.walk(root):
    for f in files:
        if not f.endswith('.rs'): continue
        path = os.path.join(dirpath, f)
        lines = open(path).read().split('\n')
        for i, line in enumerate(lines):
            m = re.match(r'^(\s*)(pub(\([^)]*\))? )?(async )?fn (\w+)', line)
            if not m: continue
            indent = m.group(1)
            for j in range(i + 1, len(lines)):
                if lines[j] == indent + '}':
                    found.append((j - i + 1, os.path.relpath(path, root), m.group(5)))
                    break
found.sort(reverse=True)
for length, path, name in found[:n]:
    print(f"{length:5} {path} {name}")

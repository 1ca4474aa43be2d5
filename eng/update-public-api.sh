#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, and removes those reported as no longer present (RS0017).
# Usage: eng/update-public-api.sh src/KeyVaulting   (review the diff before committing)
set -euo pipefail
project_dir=${1:?usage: eng/update-public-api.sh src/<Project>}
unshipped="$project_dir/PublicAPI.Unshipped.txt"
[ -f "$unshipped" ] || printf '#nullable enable\n' > "$unshipped"
[ -f "$project_dir/PublicAPI.Shipped.txt" ] || printf '#nullable enable\n' > "$project_dir/PublicAPI.Shipped.txt"
log=$(mktemp)
dotnet build "$project_dir" -p:TreatWarningsAsErrors=false --no-incremental 2>&1 > "$log" || true
python3 - "$log" "$unshipped" <<'PY'
import re, sys
log, path = sys.argv[1], sys.argv[2]
text = open(log, encoding="utf-8").read()
added = set(re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared", text))
removed = set(re.findall(r"RS0017: Symbol '(.+?)' is part of the declared API, but", text))
lines = [l.rstrip("\n") for l in open(path, encoding="utf-8")]
header = [l for l in lines if l.startswith("#")] or ["#nullable enable"]
body = {l for l in lines if l and not l.startswith("#")}
body = (body | added) - removed
open(path, "w", encoding="utf-8").write("\n".join(header + sorted(body)) + "\n")
print(f"{path}: +{len(added)} -{len(removed)}")
PY
rm -f "$log"

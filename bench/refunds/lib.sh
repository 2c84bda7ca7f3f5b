# Shared by bench/refunds/*.sh (sourced): `measure LABEL ROWS URL ARGS...` runs the binary
# ($bin, with ACE_DATA_DIR=$data/state) under /usr/bin/time -v and prints wall time, rows/s and
# peak RSS, then the command's last two lines of output.
measure() {
  local label=$1 rows=$2 url=$3; shift 3
  local out; out=$(mktemp)
  ACE_LOG=warn ACE_DATA_DIR="$data/state" /usr/bin/time -v "$bin" --database-url "$url" "$@" > "$out.stdout" 2> "$out" \
    || { cat "$out" "$out.stdout"; exit 1; }
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$out")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
  python3 -c "import sys; s=float(sys.argv[2]); print(f'{sys.argv[1]}: {s:.2f} s, {int(sys.argv[3])/s:,.0f} rows/s, peak RSS {int(sys.argv[4])/1024:.0f} MiB')" \
    "$label" "$secs" "$rows" "$rss"
  tail -n 2 "$out.stdout" | sed 's/^/    /'
  rm -f "$out" "$out.stdout"
}

# Turns src/bench/run's figures into the Markdown report.
# Usage: awk -f report.awk machine.txt raw.tsv rss.tsv
# Plain POSIX awk (Debian's default is mawk): no asort, no ARGIND.

FNR == 1 { file++ }

file == 1 {
  split($0, kv, "=")
  meta[kv[1]] = substr($0, length(kv[1]) + 2)
  next
}

file == 2 && FNR > 1 {
  split($0, f, "\t")
  key = f[1] SUBSEP f[2] SUBSEP f[3]
  runs[f[1]] = 1
  seen[f[2]] = 1
  rps[key] = f[5]; mibps[key] = f[6]; p50[key] = f[7]; p99[key] = f[8]
  errors[key] = f[9] + f[10] + f[11] + f[12]
  others[key] = f[13]; cpu_pct[key] = f[14]; cpu_req[key] = f[15]; cpu_mib[key] = f[16]
  verdict[key] = f[17]; note[key] = f[18]
  if (f[13] + 0 > busiest) busiest = f[13] + 0
  next
}

file == 3 && FNR > 1 {
  split($0, f, "\t")
  rss[f[1] SUBSEP f[2]] = f[3]; hwm[f[1] SUBSEP f[2]] = f[4]
  next
}

function median(list,    n, a, i, j, t) {
  n = split(list, a, " ")
  if (n == 0) return ""
  for (i = 2; i <= n; i++) {
    t = a[i] + 0
    for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]
    a[j + 1] = t
  }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

# The throughput that counts for an asset: req/s, or MiB/s for the large one.
function rate(key, asset) {
  return asset == "large" ? mibps[key] : rps[key]
}

# The target's CPU time for one unit of that throughput, in microseconds.
function cost(key, asset) {
  return asset == "large" ? cpu_mib[key] : cpu_req[key]
}

function shown_cost(value, asset) {
  return sprintf(asset == "large" ? "%.0f µs/MiB" : "%.1f µs/req", value)
}

function ms(us) {
  return sprintf("%.2f ms", us / 1000)
}

function shown_rate(value, asset) {
  return asset == "large" ? sprintf("%.0f MiB/s", value) : sprintf("%.0f", value)
}

function times(x) {
  return x == "" ? "n/a" : sprintf("%.2f×", x)
}

function accepted(key) {
  return verdict[key] == "ok"
}

# Within one run: mapgate's throughput and p99 over the best of nginx and HAProxy that answered
# correctly. Sets ratio_rate and ratio_p99, or leaves them "" when there is nothing to compare.
function ratios(run, target, asset,    key, other, okey, best, best_p99) {
  ratio_rate = ratio_p99 = ""
  key = run SUBSEP target SUBSEP asset
  if (!(key in verdict) || !accepted(key)) return
  best = best_p99 = ""
  for (other = 1; other <= 2; other++) {
    okey = run SUBSEP (other == 1 ? "nginx" : "haproxy") SUBSEP asset
    if (!(okey in verdict) || !accepted(okey)) continue
    if (best == "" || rate(okey, asset) + 0 > best + 0) best = rate(okey, asset)
    if (best_p99 == "" || p99[okey] + 0 < best_p99 + 0) best_p99 = p99[okey]
  }
  if (best != "" && best + 0 > 0) ratio_rate = rate(key, asset) / best
  if (best_p99 != "" && best_p99 + 0 > 0) ratio_p99 = p99[key] / best_p99
}

# Within one run: mapgate-sites over mapgate, for throughput, p99 and CPU per unit. Sets
# sites_rate, sites_p99 and sites_cost, or leaves them "" when either was rejected or missing.
function sites_ratios(run, asset,    key, base) {
  sites_rate = sites_p99 = sites_cost = ""
  key = run SUBSEP "mapgate-sites" SUBSEP asset
  base = run SUBSEP "mapgate" SUBSEP asset
  if (!(key in verdict) || !accepted(key) || !(base in verdict) || !accepted(base)) return
  if (rate(base, asset) + 0 > 0) sites_rate = rate(key, asset) / rate(base, asset)
  if (p99[base] + 0 > 0) sites_p99 = p99[key] / p99[base]
  if (cost(base, asset) + 0 > 0) sites_cost = cost(key, asset) / cost(base, asset)
}

# The values of a space-separated list as "0.99, 1.01", for the runs behind a median.
function listed(list,    n, a, i, text) {
  n = split(list, a, " ")
  text = ""
  for (i = 1; i <= n; i++) text = text (i > 1 ? ", " : "") sprintf("%.3f", a[i])
  return text
}

# A ratio to three places, for differences of a few per cent.
function fine(x) {
  return x == "" ? "n/a" : sprintf("%.3f×", x)
}

function met(ok) {
  return ok ? "met" : "**missed**"
}

END {
  n_assets = split("js map large", assets, " ")
  title["js"] = "Small JS asset"; title["map"] = "Authorised source map"; title["large"] = "64 MiB asset"
  # mapgate's targets are 4 and on.
  n_targets = split("origin nginx haproxy mapgate mapgate-xmx64m mapgate-sites", targets, " ")
  label["origin"] = "origin (direct)"; label["nginx"] = "nginx"; label["haproxy"] = "HAProxy"
  label["mapgate"] = "mapgate"; label["mapgate-xmx64m"] = "mapgate -Xmx64m"
  label["mapgate-sites"] = "mapgate with sites"
  peers = ("nginx" in seen) || ("haproxy" in seen)
  n_runs = 0
  for (r in runs) n_runs++

  print "# mapgate beside nginx and HAProxy as source map gates"
  print ""
  print "- Machine: " meta["machine"]
  print "- Date: " meta["date"]
  print "- Software: " meta["versions"]
  print "- Load: `" meta["load"] "` with the token header, the same for every target and asset, after"
  print "  " meta["warmup"] " of the same load; and " meta["first_warmup"] " on the small JS asset when a target has just started"
  print "  (mapgate's JIT needs about 10 s). Every response is checked; a target that answered any request"
  print "  wrongly, or broke a gate rule in the curl probe before or after its load, is REJECTED for that run."
  print "- Each proxy has " meta["workers"] " worker threads (nginx `worker_processes`, HAProxy `nbthread`, mapgate"
  print "  `listen.io-threads`) and keep-alive connections to one shared origin nginx (" meta["origin_workers"] " worker)."
  if (meta["access_log"] == "off") {
    print "  Access logs are off for all three: nginx `access_log off`, no HAProxy log, mapgate's"
    print "  `mapgate.access` logger at OFF."
  } else {
    print "  Each logs every request, as shipped: nginx in its default format to a file, HAProxy's"
    print "  `option httplog` to stdout, mapgate's `mapgate.access` with its built-in logback.xml to stdout;"
    print "  both stdouts go to a file."
  }
  print "- mapgate: `java " meta["jvm"] " -jar target/mapgate.jar`; mapgate -Xmx64m: `java " meta["small_heap"] " ...`."
  if ("mapgate-sites" in seen) {
    print "- mapgate with sites: mapgate's flags and config plus the " meta["sites"] " sites of `src/bench/mapgate-sites.conf`;"
    print "  its load asks for the same files under " meta["sites_prefix"] ", with that site's token (the file says why)."
  }
  print "- Figures are medians of " n_runs " runs over the runs a target was not rejected in. The ratio compares"
  print "  mapgate with the best of nginx and HAProxy in the same run (highest req/s or MiB/s, lowest p99);"
  print "  the table gives the median of those per-run ratios."
  print "- CPU: the CPU time the target's own processes used (all its threads or workers), per request"
  print "  (per MiB for the 64 MiB asset), and as a share of one core; the origin and wrk not included."
  printf "- Other load: CPU used by programs other than this benchmark's, in %% of all cores. A measurement\n"
  printf "  during which it passed %s%% was taken again (at most %s times); the most left in one kept is %d%%.\n",
    meta["max_others"], meta["retries"], busiest

  for (a = 1; a <= n_assets; a++) {
    asset = assets[a]
    print ""
    printf "## %s (%s bytes)\n\n", title[asset], meta["size_" asset]
    printf "| target | %s | p50 | p99 | CPU | errors | mapgate ÷ best other: %s · p99 |\n", asset == "large" ? "MiB/s" : "req/s", asset == "large" ? "MiB/s" : "req/s"
    print "|---|--:|--:|--:|--:|--:|---|"
    for (t = 1; t <= n_targets; t++) {
      target = targets[t]
      if (!(target in seen)) continue
      rates = p50s = p99s = costs = shares = rr = rp = ""
      total_errors = 0; rejected = 0
      for (run = 1; run <= n_runs; run++) {
        key = run SUBSEP target SUBSEP asset
        if (!(key in verdict)) continue
        total_errors += errors[key]
        if (!accepted(key)) { rejected++; continue }
        rates = rates " " rate(key, asset); p50s = p50s " " p50[key]; p99s = p99s " " p99[key]
        costs = costs " " cost(key, asset); shares = shares " " cpu_pct[key]
        ratios(run, target, asset)
        if (ratio_rate != "") rr = rr " " ratio_rate
        if (ratio_p99 != "") rp = rp " " ratio_p99
      }
      compare = ""
      if (target ~ /^mapgate/) {
        compare = times(median(rr)) " · " times(median(rp))
        mr[target, asset] = median(rr); mp[target, asset] = median(rp)
      }
      if (rates == "") {
        printf "| %s | REJECTED | | | | %d | |\n", label[target], total_errors
      } else {
        printf "| %s | %s | %s | %s | %s, %.0f%% | %d%s | %s |\n", label[target], shown_rate(median(rates), asset),
          ms(median(p50s)), ms(median(p99s)), shown_cost(median(costs), asset), median(shares), total_errors,
          rejected ? " (" rejected " run(s) REJECTED)" : "", compare
      }
    }
  }

  if ("mapgate-sites" in seen) {
    print ""
    print "## Sites: mapgate with sites ÷ mapgate, in the same run"
    print ""
    print "Issue 23 wants a config with 20 sites to cost no more than 2% against one without. Medians of the"
    print "per-run ratios, with each run's ratio after it."
    print ""
    print "| asset | req/s (MiB/s) | p99 | CPU per request (per MiB) | throughput ≥ 0.98× |"
    print "|---|---|---|---|---|"
    for (a = 1; a <= n_assets; a++) {
      asset = assets[a]
      rr = rp = rc = ""
      for (run = 1; run <= n_runs; run++) {
        sites_ratios(run, asset)
        if (sites_rate != "") rr = rr " " sites_rate
        if (sites_p99 != "") rp = rp " " sites_p99
        if (sites_cost != "") rc = rc " " sites_cost
      }
      x = median(rr)
      printf "| %s | %s (%s) | %s (%s) | %s (%s) | %s |\n", title[asset], fine(x), listed(rr), fine(median(rp)), listed(rp),
        fine(median(rc)), listed(rc), x == "" ? "n/a" : met(x >= 0.98)
    }
  }

  # Issue 21's targets compare mapgate with nginx and HAProxy; without either there is nothing to show.
  if (peers) {
    print ""
    print "## The issue's targets (medians of the per-run ratios)"
    print ""
    print "| target | wanted | mapgate | mapgate -Xmx64m |"
    print "|---|---|---|---|"
    # Issue 21's targets: the small JS asset at 0.95x the best peer's rate, the map at 1.0x, p99 on
    # both within 1.2x of the best peer's, the 64 MiB asset at 1.0x.
    want_rate["js"] = 0.95; want_rate["map"] = 1.0
    for (a = 1; a <= 2; a++) {
      asset = assets[a]
      line_rate = "| " title[asset] " req/s | ≥ " sprintf("%.2f", want_rate[asset]) "× the best other |"
      line_p99 = "| " title[asset] " p99 | ≤ 1.20× the best other |"
      for (t = 4; t <= 5; t++) {
        target = targets[t]
        x = mr[target, asset]; y = mp[target, asset]
        line_rate = line_rate " " times(x) " " (x == "" ? "" : met(x >= want_rate[asset])) " |"
        line_p99 = line_p99 " " times(y) " " (y == "" ? "" : met(y <= 1.2)) " |"
      }
      print line_rate
      print line_p99
    }
    line = "| " title["large"] " MiB/s | ≥ 1.00× the best other |"
    for (t = 4; t <= 5; t++) {
      x = mr[targets[t], "large"]
      line = line " " times(x) " " (x == "" ? "" : met(x >= 1.0)) " |"
    }
    print line
    line = "| resident memory after the run (VmRSS) | ≤ 200 MiB |"
    for (t = 4; t <= 5; t++) {
      list = ""
      for (run = 1; run <= n_runs; run++) {
        if ((run SUBSEP targets[t]) in rss) list = list " " rss[run, targets[t]]
      }
      m = median(list)
      line = line " " (m == "" ? "n/a |" : sprintf("%.0f MiB %s |", m / 1024, met(m / 1024 <= 200)))
    }
    print line
  }

  print ""
  print "## Each run"
  print ""
  print "| run | asset | target | req/s | MiB/s | p50 | p99 | CPU | errors | others' CPU | mapgate ÷ best other | verdict |"
  print "|--:|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|"
  for (run = 1; run <= n_runs; run++) {
    for (a = 1; a <= n_assets; a++) {
      asset = assets[a]
      for (t = 1; t <= n_targets; t++) {
        target = targets[t]
        key = run SUBSEP target SUBSEP asset
        if (!(key in verdict)) continue
        compare = ""
        if (target ~ /^mapgate/) {
          ratios(run, target, asset)
          compare = times(ratio_rate) " · p99 " times(ratio_p99)
          if (target == "mapgate-sites") {
            sites_ratios(run, asset)
            compare = compare "; ÷ mapgate " times(sites_rate) " · p99 " times(sites_p99)
          }
        }
        printf "| %d | %s | %s | %.0f | %.1f | %s | %s | %s, %.0f%% | %d | %d%% | %s | %s |\n", run, asset, label[target],
          rps[key], mibps[key], ms(p50[key]), ms(p99[key]), shown_cost(cost(key, asset), asset), cpu_pct[key],
          errors[key], others[key], compare,
          verdict[key] == "ok" ? "ok" : "REJECTED: " note[key]
      }
    }
  }

  print ""
  print "## mapgate's memory after each run"
  print ""
  print "| run | target | VmRSS | VmHWM (peak) |"
  print "|--:|---|--:|--:|"
  for (run = 1; run <= n_runs; run++) {
    for (t = 4; t <= n_targets; t++) {
      if ((run SUBSEP targets[t]) in rss) {
        printf "| %d | %s | %.0f MiB | %.0f MiB |\n", run, label[targets[t]], rss[run, targets[t]] / 1024, hwm[run, targets[t]] / 1024
      }
    }
  }
}

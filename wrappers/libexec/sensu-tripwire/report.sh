# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # one program in several files: variables cross them
# Reading Tripwire's integrity-check report and writing the check's output, metrics and JSON.
# Sourced after common.sh, never run.
#
# The parsed result is a tab-separated file, one record a line:
#   T <TAB> objects|violations <TAB> N           totals from the report
#   O <TAB> kind <TAB> severity <TAB> rule <TAB> start <TAB> "path"
#                                                one changed object; kind is added, removed or
#                                                modified; the path is in Tripwire's quoted and
#                                                escaped display form, rule and start as Tripwire
#                                                prints them (see tw_names_awk_lib)
#   P <TAB> path <TAB> properties                the changed properties of a modified object
#                                                ("Modify Time, Change Time"), path as raw bytes;
#                                                before the O records
#   E <TAB> message <TAB> object <TAB> detail     one scan error, from the report's Error Report
#                                                (unlike stderr, it does not wrap long lines)

# tw_parse_report FILE: parse the level-2 report `tripwire --check` prints on stdout.
tw_parse_report() {
    awk '
        BEGIN { OFS = "\t" }
        { gsub(/\t/, " ") }
        /^Total objects scanned:/ { print "T", "objects", $4 + 0; next }
        /^Total violations found:/ { print "T", "violations", $4 + 0; next }
        function flush() {
            if (emsg != "") print "E", emsg, eobj, edetail
            emsg = ""; eobj = ""; edetail = ""
        }
        /^Object Summary:/ { summary = 1; next }
        /^Error Report:/ { summary = 0; errors = 1; next }
        errors && /^\*\*\* End of report/ { flush(); errors = 0; next }
        errors && /^[0-9]+\.   / { flush(); emsg = $0; sub(/^[0-9]+\.   */, "", emsg); next }
        errors && emsg != "" && /^     Filename: / {
            f = $0; sub(/^     Filename: /, "", f)
            if (eobj == "") eobj = f; else if (eobj != f) edetail = (edetail == "" ? f : edetail "; " f)
            next
        }
        errors && emsg != "" && /^     [^ ]/ { d = $0; sub(/^     /, "", d); edetail = (edetail == "" ? d : edetail "; " d); next }
        errors && /^(---|$)/ { flush(); next }
        END { flush() }
        !summary { next }
        # "Rule Name: NAME (START)", where NAME and START may both contain " (" and ")": the
        # split where NAME equals START (every rule made for a command-line path), else the
        # last " (" (a rule name of its own).
        /^Rule Name: / {
            rule = substr($0, 12); start = ""; kind = ""; sev = 0
            n = length(rule)
            if (substr(rule, n, 1) == ")") {
                cut = 0
                for (i = n - 1; i > 1; i--) {
                    if (substr(rule, i, 2) != " (") continue
                    if (cut == 0) cut = i
                    if (substr(rule, 1, i - 1) == substr(rule, i + 2, n - i - 2)) { cut = i; break }
                }
                if (cut > 1) { start = substr(rule, cut + 2, n - cut - 2); rule = substr(rule, 1, cut - 1) }
            }
            next
        }
        /^Severity Level: / { sev = $3 + 0; next }
        /^Added:$/ { kind = "added"; next }
        /^Removed:$/ { kind = "removed"; next }
        /^Modified:$/ { kind = "modified"; next }
        /^---/ { kind = ""; next }
        /^"/ { if (kind != "") print "O", kind, sev, rule, start, $0 }
    ' "$1"
}

# tw_parse_properties FILE: the P records of a detailed report (twprint -t 3): after each
# "Modified object name:", the properties marked "*" changed.
tw_parse_properties() {
    awk "$tw_names_awk_lib"'
        BEGIN { OFS = "\t" }
        function listsep(list) { return list == "" ? "" : ", " }
        function flush() {
            if (obj != "" && props != "") print "P", obj, props
            obj = ""; props = ""
        }
        { gsub(/\t/, " ") }
        /^Modified object name: / { flush(); obj = $0; sub(/^Modified object name: +/, "", obj); obj = twunhex(obj); next }
        obj != "" && /^\* / { p = substr($0, 3); sub(/  .*$/, "", p); props = props listsep(props) p; next }
        /^(Rule Name:|Added object name:|Removed object name:|=====)/ { flush() }
        END { flush() }
    ' "$1"
}

# tw_summarize PARSED DIAG: set tw_added, tw_removed, tw_modified, tw_violations, tw_maxsev,
# tw_objects and tw_errors from a parsed report and its diagnostics.
tw_summarize() {
    # shellcheck disable=SC2046 # seven numbers, meant to split
    set -- $(awk -F '\t' '
        BEGIN { objects = 0; v = 0; max = 0; e = 0 }
        FILENAME == ARGV[1] && $1 == "T" && $2 == "objects" { objects = $3 + 0 }
        FILENAME == ARGV[1] && $1 == "O" {
            c[$2]++; v++
            if ($3 + 0 > max) max = $3 + 0
        }
        FILENAME == ARGV[2] && $1 == "warning" { e++ }
        END { printf "%d %d %d %d %d %d %d\n", c["added"] + 0, c["removed"] + 0, c["modified"] + 0, v, max, objects, e }
    ' "$1" "$2")
    tw_added=$1
    tw_removed=$2
    tw_modified=$3
    tw_violations=$4
    tw_maxsev=$5
    tw_objects=$6
    tw_errors=$7
}

# tw_render_details PARSED DIAG MAX: the changed objects grouped by kind, then the scan errors,
# each list capped at MAX entries.
tw_render_details() {
    awk -F '\t' -v max="$3" "$tw_names_awk_lib"'
        BEGIN { max += 0; ne = 0 }
        FILENAME == ARGV[1] && $1 == "P" { changed[$2] = $3; next }
        FILENAME == ARGV[1] && $1 == "O" {
            n[$2]++
            if (n[$2] > max) next
            p = twpath($6)
            s = "  \"" show(p) "\" (rule " show(twunhex($4)) ", severity " $3
            if ($2 == "modified" && (p in changed)) s = s "; changed: " changed[p]
            line[$2, n[$2]] = s ")"
            next
        }
        FILENAME == ARGV[2] && $1 == "warning" {
            ne++
            if (ne <= max) {
                s = "  "
                if ($3 != "") s = s show(twunhex($3)) ": "
                s = s $2
                if ($4 != "") s = s " (" $4 ")"
                err[ne] = s
            }
        }
        END {
            split("added removed modified", kinds, " ")
            split("Added Removed Modified", titles, " ")
            for (k = 1; k <= 3; k++) {
                c = n[kinds[k]] + 0
                if (c == 0) continue
                printf "%s (%d):\n", titles[k], c
                for (i = 1; i <= c && i <= max; i++) print line[kinds[k], i]
                if (c > max) printf "  \342\200\246 and %d more\n", c - max
            }
            if (ne > 0) {
                printf "Scan errors (%d):\n", ne
                for (i = 1; i <= ne && i <= max; i++) print err[i]
                if (ne > max) printf "  \342\200\246 and %d more\n", ne - max
            }
        }
    ' "$1" "$2"
}

# tw_metrics FORMAT: the metrics of this run in one of Sensu's output_metric_format values. Uses
# the tw_* counters and tw_profile; the names are the same in every format.
tw_metrics() {
    _ts=$(tw_epoch)
    _names="added removed modified violations max_severity objects_scanned scan_errors baseline_created_time"
    _values="$tw_added $tw_removed $tw_modified $tw_violations $tw_maxsev $tw_objects $tw_errors ${tw_baseline_epoch:-0}"
    printf '%s\n' "$_values" | awk -v fmt="$1" -v names="$_names" -v ts="$_ts" -v profile="$tw_profile" '
        function sep(i) { return i > 1 ? "," : "" }
        BEGIN {
            help["added"] = "Objects added since the baseline."
            help["removed"] = "Objects removed since the baseline."
            help["modified"] = "Objects modified since the baseline."
            help["violations"] = "Objects added, removed or modified since the baseline."
            help["max_severity"] = "Highest severity of the violated rules (0 when none)."
            help["objects_scanned"] = "Objects Tripwire scanned."
            help["scan_errors"] = "Objects Tripwire could not read."
            help["baseline_created_time"] = "When the baseline was created (seconds since 1970): a change means a new baseline."
        }
        {
            k = split(names, name, " ")
            for (i = 1; i <= k; i++) value[i] = $i
            if (fmt == "nagios_perfdata") {
                s = "|"
                for (i = 1; i <= k; i++) s = s " " name[i] "=" value[i]
                print s
            } else if (fmt == "prometheus_text") {
                for (i = 1; i <= k; i++) {
                    m = "tripwire_" name[i]
                    print "# HELP " m " " help[name[i]]
                    print "# TYPE " m " gauge"
                    print m "{profile=\"" profile "\"} " value[i]
                }
            } else if (fmt == "influxdb_line") {
                s = ""
                for (i = 1; i <= k; i++) s = s sep(i) name[i] "=" value[i]
                print "tripwire,profile=" profile " " s " " ts "000000000"
            } else if (fmt == "graphite_plaintext") {
                for (i = 1; i <= k; i++) print "tripwire." profile "." name[i] " " value[i] " " ts
            } else if (fmt == "opentsdb_line") {
                for (i = 1; i <= k; i++) print "tripwire." name[i] " " ts " " value[i] " profile=" profile
            }
        }'
}

# tw_check_metrics_format FORMAT
tw_check_metrics_format() {
    case $1 in
        nagios_perfdata | prometheus_text | influxdb_line | graphite_plaintext | opentsdb_line) ;;
        *) usage_err "--metrics takes nagios_perfdata, prometheus_text, influxdb_line, graphite_plaintext or opentsdb_line, not '$1'" ;;
    esac
}

# tw_output_filter FORMAT: adapt the human-readable text to a metrics format so that Sensu's
# parser reads only the metrics: prometheus_text needs every other line to be a comment, and
# nagios_perfdata allows exactly one '|' in the whole output.
tw_output_filter() {
    case $1 in
        prometheus_text) sed -e 's/^/# /' ;;
        nagios_perfdata) sed -e "s/|/$(printf '\302\246')/g" ;;
        *) cat ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# JSON

# Names as operators read them. Tripwire, in the C locale the scripts use, prints every byte that
# is not printable ASCII as \xNN (and, in quoted paths, \\ and \"); the check shows names as
# they are instead: valid UTF-8 stays UTF-8, and only bytes that are not valid UTF-8, control
# characters (C0, DEL, C1, and the bidirectional and line-separator controls that could disguise
# a name) are written \xNN, and a backslash \\. Text and JSON show the same form.
#   twpath(s)   a quoted, escaped path as Tripwire prints it, to its raw bytes
#   twunhex(s)  a rule name or policy text: \xNN to raw bytes, everything else as it is
#   show(s)     raw bytes to the form above
# Plain byte arithmetic (the C locale): the same in busybox awk 1.29, mawk and gawk.
tw_names_awk_lib='
function hexval(h) {
    h = tolower(h)
    return (index("0123456789abcdef", substr(h, 1, 1)) - 1) * 16 + index("0123456789abcdef", substr(h, 2, 1)) - 1
}
function twunescape(s, all,    o, i, n, c, h) {
    if (index(s, "\\") == 0) return s
    o = ""; n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c != "\\") { o = o c; continue }
        c = substr(s, i + 1, 1)
        h = substr(s, i + 2, 2)
        if ((c == "x" || c == "X") && h ~ /^[0-9A-Fa-f][0-9A-Fa-f]$/ && hexval(h) > 0) {
            o = o sprintf("%c", hexval(h)); i += 3
        } else if (all && (c == "\\" || c == "\"")) {
            o = o c; i++
        } else o = o "\\"
    }
    return o
}
function twunhex(s) { return twunescape(s, 0) }
function twpath(s) {
    if (substr(s, 1, 1) == "\"" && substr(s, length(s), 1) == "\"") s = substr(s, 2, length(s) - 2)
    return twunescape(s, 1)
}
function ordinal(c,    i) {
    if (!ord_ready) { for (i = 1; i < 256; i++) ord_of[sprintf("%c", i)] = i; ord_ready = 1 }
    return ord_of[c] + 0
}
function show(s,    o, i, n, b, c, need, ok, lo, hi, j, k, k2) {
    if (s ~ /^[ -~]*$/ && index(s, "\\") == 0) return s
    o = ""; n = length(s); i = 1
    while (i <= n) {
        c = substr(s, i, 1)
        b = ordinal(c)
        if (c == "\\") { o = o "\\\\"; i++; continue }
        if (b >= 32 && b < 127) { o = o c; i++; continue }
        need = 0
        if (b >= 194 && b <= 223) need = 1
        else if (b >= 224 && b <= 239) need = 2
        else if (b >= 240 && b <= 244) need = 3
        ok = need > 0 && i + need <= n
        lo = 128; hi = 191
        if (b == 194) lo = 160
        if (b == 224) lo = 160
        if (b == 237) hi = 159
        if (b == 240) lo = 144
        if (b == 244) hi = 143
        for (j = 1; ok && j <= need; j++) {
            k = ordinal(substr(s, i + j, 1))
            if (j == 1 && (k < lo || k > hi)) ok = 0
            if (j > 1 && (k < 128 || k > 191)) ok = 0
        }
        if (ok && b == 226) {
            k = ordinal(substr(s, i + 1, 1)); k2 = ordinal(substr(s, i + 2, 1))
            if ((k == 128 && k2 >= 168 && k2 <= 174) || (k == 129 && k2 >= 166 && k2 <= 169)) ok = 0
        }
        if (ok) { o = o substr(s, i, need + 1); i += need + 1 }
        else { o = o sprintf("\\x%02x", b); i++ }
    }
    return o
}
'

# The awk functions shared by the JSON writers (after tw_names_awk_lib): jstr(s) quotes a
# string; jname(s) is jstr(show(s)); comma(list) is the separator before the next item of a list.
#
# busybox awk (Alpine) reads `name (...)` as a call of a function "name": never put a
# parenthesised expression right after a variable; call a function or use a variable instead.
tw_json_awk_lib=$tw_names_awk_lib'
function comma(list) { return list == "" ? "" : "," }
function jstr(s,    i, c, o, n) {
    if (s !~ /[\\"]/ && s !~ ctlre) return "\"" s "\""
    o = ""; n = length(s)
    for (i = 1; i <= n; i++) {
        c = substr(s, i, 1)
        if (c == "\\") o = o "\\\\"
        else if (c == "\"") o = o "\\\""
        else if (index(ctl, c) > 0) o = o sprintf("\\u%04x", index(ctl, c))
        else o = o c
    }
    return "\"" o "\""
}
function jname(s) { return jstr(show(s)) }
BEGIN { ctl = ""; for (i = 1; i < 32; i++) ctl = ctl sprintf("%c", i); ctlre = "[" ctl "]" }
'

# tw_json_begin: a temporary file beside the --json file (tw_json_tmp), for the document to be
# written into and then renamed over the --json file: a reader never sees half of one.
tw_json_begin() {
    _dir=${tw_json_file%/*}
    [ -n "$_dir" ] || _dir=/
    tw_json_tmp=$(mktemp "$_dir/.tripwire-json.XXXXXX" 2>/dev/null)
}

# tw_json_commit WRITER_STATUS: install tw_json_tmp as the --json file when its writer succeeded and
# the document is complete (one line, an object); otherwise remove it, and the --json file too (a
# stale result must not pass for this run's), and return 1.
tw_json_commit() {
    if [ "$1" = 0 ] && [ -s "$tw_json_tmp" ] &&
        awk 'NR > 1 || !/^\{.*\}$/ { bad = 1 } END { exit bad || NR != 1 }' "$tw_json_tmp" &&
        mv -f "$tw_json_tmp" "$tw_json_file"; then
        return 0
    fi
    rm -f "$tw_json_tmp" "$tw_json_file"
    return 1
}

# tw_json_simple STATUS MESSAGE: the JSON of a run that ended before comparing anything.
tw_json_simple() {
    tw_json_begin || return 1
    _rc=0
    awk -v status="$1" -v state="$(tw_state_name "$1")" -v msg="$2" -v profile="${tw_profile:-}" \
        -v statedir="${tw_state:-}" -v time="$(date -u '+%Y-%m-%dT%H:%M:%SZ')" \
        -v host="$(uname -n)" "$tw_json_awk_lib"'
        BEGIN {
            printf "{\"check\":\"tripwire\",\"status\":%d,\"state\":%s,\"summary\":%s,", status, jstr(state), jstr(msg)
            printf "\"host\":%s,\"profile\":%s,\"state_dir\":%s,\"time\":%s}\n", jstr(host), jstr(profile), jstr(statedir), jstr(time)
        }' </dev/null >"$tw_json_tmp" || _rc=$?
    tw_json_commit "$_rc"
}

# tw_json_result STATUS SUMMARY PARSED DIAG NOTES: the full JSON of a comparison.
tw_json_result() {
    tw_json_begin || return 1
    _rc=0
    awk -F '\t' -v status="$1" -v state="$(tw_state_name "$1")" -v msg="$2" -v profile="$tw_profile" \
        -v statedir="$tw_state" -v time="$(date -u '+%Y-%m-%dT%H:%M:%SZ')" -v host="$(uname -n)" \
        -v report="${tw_report:-}" -v created="${tw_created:-0}" -v warn="$tw_opt_warning" \
        -v created_at="$([ "${tw_baseline_epoch:-0}" = 0 ] || printf '%s' "$tw_baseline_iso")" \
        -v crit="$tw_opt_critical" -v added="$tw_added" -v removed="$tw_removed" \
        -v modified="$tw_modified" -v violations="$tw_violations" -v maxsev="$tw_maxsev" \
        -v objects="$tw_objects" -v errors="$tw_errors" "$tw_json_awk_lib"'
        BEGIN { nr = 0 }
        FILENAME == ARGV[1] && $1 == "P" { changed[$2] = $3; next }
        FILENAME == ARGV[1] && $1 == "O" {
            key = $4 SUBSEP $5 SUBSEP $3
            if (!(key in rk)) { rk[key] = ++nr; rname[nr] = $4; rstart[nr] = $5; rsev[nr] = $3 }
            r = rk[key]
            p = twpath($6)
            objs[r, $2] = objs[r, $2] comma(objs[r, $2]) jname(p)
            if ($2 == "modified" && (p in changed)) {
                k = split(changed[p], props, ", ")
                l = ""
                for (i = 1; i <= k; i++) l = l comma(l) jstr(props[i])
                chg[r] = chg[r] comma(chg[r]) jname(p) ":[" l "]"
            }
            next
        }
        FILENAME == ARGV[2] && $1 == "warning" {
            errs = errs comma(errs) "{\"message\":" jstr($2) ",\"object\":" jname(twunhex($3)) ",\"detail\":" jstr($4) "}"
            next
        }
        FILENAME == ARGV[3] && $0 != "" { notes = notes comma(notes) jstr($0) }
        END {
            printf "{\"check\":\"tripwire\",\"status\":%d,\"state\":%s,\"summary\":%s,", status, jstr(state), jstr(msg)
            printf "\"host\":%s,\"profile\":%s,\"state_dir\":%s,\"time\":%s,", jstr(host), jstr(profile), jstr(statedir), jstr(time)
            printf "\"report\":%s,\"baseline_created\":%s,", (report == "" ? "null" : jstr(report)), (created == 1 ? "true" : "false")
            printf "\"baseline_created_at\":%s,", (created_at == "" ? "null" : jstr(created_at))
            printf "\"counts\":{\"added\":%d,\"removed\":%d,\"modified\":%d,\"violations\":%d,\"objects_scanned\":%d,\"scan_errors\":%d},", added, removed, modified, violations, objects, errors
            printf "\"max_severity\":%d,\"thresholds\":{\"warning\":%d,\"critical\":%d},\"rules\":[", maxsev, warn, crit
            for (r = 1; r <= nr; r++) {
                printf "%s{\"name\":%s,\"start\":%s,\"severity\":%d", (r > 1 ? "," : ""), jname(twunhex(rname[r])), jname(twunhex(rstart[r])), rsev[r]
                printf ",\"added\":[%s],\"removed\":[%s],\"modified\":[%s]", objs[r, "added"], objs[r, "removed"], objs[r, "modified"]
                printf ",\"changed\":{%s}}", chg[r]
            }
            printf "],\"errors\":[%s],\"notes\":[%s]}\n", errs, notes
        }' "$3" "$4" "$5" >"$tw_json_tmp" || _rc=$?
    tw_json_commit "$_rc"
}

# ---------------------------------------------------------------------------------------------
# Tripwire's diagnostics on stderr: "### Warning: ...", "### Filename: ...", "### detail".

# tw_parse_diagnostics FILE: one line per diagnostic: KIND<TAB>MESSAGE<TAB>OBJECT<TAB>DETAIL,
# KIND "warning" (scan errors; Tripwire continued) or "error" (fatal).
#
# Tripwire wraps these lines at 76 characters, breaking at the last space that fits: a line is
# taken as the continuation of the one before when the first word of the line would not have fit
# after it, unless it starts a "Filename:" or "File:", or the line before is a name longer than
# the width (a name too long to follow its label comes alone on the next line). That is a guess
# where a long line is followed by a new one; the scan errors are therefore read from a report
# (tw_exact_errors), which does not wrap.
tw_parse_diagnostics() {
    awk '
        function flush() {
            if (n > 0) {
                for (i = 1; i <= n; i++) {
                    l = line[i]
                    if (l ~ /^Filename: /) {
                        f = l; sub(/^Filename: /, "", f)
                        if (obj == "") obj = f; else if (obj != f) detail = (detail == "" ? f : detail "; " f)
                    } else detail = (detail == "" ? l : detail "; " l)
                }
            }
            if (msg != "") printf "%s\t%s\t%s\t%s\n", kind, msg, obj, detail
            msg = ""; obj = ""; detail = ""; n = 0
        }
        BEGIN { n = 0 }
        { gsub(/\t/, " ") }
        /^### (Warning|Error): / {
            flush()
            kind = ($0 ~ /^### Warning/) ? "warning" : "error"
            msg = $0; sub(/^### (Warning|Error): /, "", msg); label = 0; whole = 0; next
        }
        /^### (Continuing|Exiting)\.\.\./ { flush(); next }
        /^### / {
            t = substr($0, 5)
            w = t; sub(/ .*/, "", w)
            # A name too long to share the line of its label comes alone on the next one. A name
            # line longer than the width could not be broken, and Tripwire gives a name a line of
            # its own: what follows it is new text, not more of the name.
            if (label) { line[n] = line[n] " " t; label = 0; whole = (length(t) > 76) }
            else if (n > 0 && !whole && last + 1 + length(w) > 75 && t !~ /^(Filename|File):( |$)/) line[n] = line[n] " " t
            else { line[++n] = t; whole = (t ~ /^(Filename|File): / && length(t) > 76); label = (t ~ /^(Filename|File):$/) }
            last = length(t)
            next
        }
        END { flush() }
    ' "$1"
}


#!/usr/bin/env bash
# Smoke check of the search engine that `make search-engine` started (scripts/search-engine.sh):
# custom analyzer (asciifolding + synonym_graph + english stemmer), _bulk, multi_match with
# fuzziness AUTO and highlight, a terms aggregation, more_like_this, function_score and
# script_score with Painless, _reindex and an alias swap through _aliases, a geo_distance filter.
# Exits non-zero at the first failed step. Works on its own indexes (removed at the end).
#
# OpenSearch must pass every step. The Elasticsearch 8 node built here has no analysis-common,
# lang-painless or reindex module (not published on Maven Central): against it the steps that
# need them are reported as SKIPPED and the rest run on the standard analyzer.
#
#   scripts/search-engine-smoke.sh              # node on 127.0.0.1:9200
#   SEARCH_ENGINE_PORT=9201 scripts/search-engine-smoke.sh
set -euo pipefail

PORT="${SEARCH_ENGINE_PORT:-9200}"
BASE="http://127.0.0.1:$PORT"
PREFIX="smoke-$$-$(date +%s)"
V1="$PREFIX-v1"
V2="$PREFIX-v2"
ALIAS="$PREFIX-articles"

command -v jq >/dev/null 2>&1 || { echo "smoke: jq is required (apt-get install jq)" >&2; exit 1; }

passed=0
step() { printf 'smoke: %-64s' "$1"; }
ok() { passed=$((passed + 1)); echo ok; }
fail() {
  echo FAILED
  echo "smoke: $*" >&2
  [ -n "${BODY:-}" ] && echo "smoke: last response: $(printf '%s' "$BODY" | head -c 2000)" >&2
  exit 1
}

# req METHOD PATH [JSON]: the response body lands in $BODY; an HTTP status >= 300 is a failure.
req() {
  local method="$1" path="$2" data="${3:-}" out status
  out="$(mktemp)"
  if [ -n "$data" ]; then
    status="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$BASE$path" \
      -H 'Content-Type: application/json' --data-binary "$data")" || status=000
  else
    status="$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$BASE$path")" || status=000
  fi
  BODY="$(cat "$out")"
  rm -f "$out"
  [ "$status" -lt 300 ] 2>/dev/null || fail "$method $path answered HTTP $status"
}
# expect JQ_FILTER DESCRIPTION: the filter must print `true` for $BODY.
expect() { [ "$(printf '%s' "$BODY" | jq -r "$1")" = true ] || fail "expected $2 ($1)"; }

cleanup() {
  curl -s -o /dev/null -X DELETE "$BASE/$V1,$V2?ignore_unavailable=true" || true
}
trap cleanup EXIT

step "engine answers on $BASE"
if ! curl -s -o /dev/null --max-time 5 "$BASE/"; then fail "nothing answers on $BASE"; fi
if [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/")" != 200 ]; then
  # the Elasticsearch 8 built here has no rest-root module: ask the nodes API instead
  req GET "/_nodes/_local?filter_path=nodes.*.version"
  BODY="$(printf '%s' "$BODY" | jq '{version: {number: ([.nodes[].version][0])}}')"
else
  req GET /
fi
expect '.version.number | length > 0' "a version number"
echo "ok ($(printf '%s' "$BODY" | jq -r '(.version.distribution // "elasticsearch") + " " + .version.number'))"
passed=$((passed + 1))
DISTRIBUTION="$(printf '%s' "$BODY" | jq -r '.version.distribution // "elasticsearch"')"

# Which modules the node loaded (a distribution's modules, or this launcher's classpath plugins).
req GET "/_nodes/_local?filter_path=nodes.*.plugins.name,nodes.*.modules.name"
LOADED="$(printf '%s' "$BODY" | jq -r '[.nodes[] | (.plugins // [])[], (.modules // [])[] | .name] | join(" ")')"
has() { case " $LOADED " in *"$1"*) return 0 ;; *) return 1 ;; esac; }
ANALYSIS=0; PAINLESS=0; REINDEX=0
if has analysis-common || has CommonAnalysisPlugin; then ANALYSIS=1; fi
if has lang-painless || has PainlessPlugin; then PAINLESS=1; fi
if has reindex || has ReindexPlugin; then REINDEX=1; fi
skipped=0
# needs FLAG NAME: true when the engine has the module; OpenSearch must have all of them.
needs() {
  [ "$1" = 1 ] && return 0
  [ "$DISTRIBUTION" = opensearch ] && fail "OpenSearch node without $2 (loaded: $LOADED)"
  echo "SKIPPED (no $2 in this engine)"
  skipped=$((skipped + 1))
  return 1
}

MAPPINGS='"mappings": {
    "properties": {
      "title": {"type": "text"PLACE},
      "body": {"type": "text"PLACE},
      "tags": {"type": "keyword"},
      "popularity": {"type": "integer"},
      "location": {"type": "geo_point"}
    }
  }'
ANALYZED=', "analyzer": "journal_index", "search_analyzer": "journal_search"'
if [ "$ANALYSIS" = 1 ]; then
  INDEX_BODY='{
  "settings": {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "analysis": {
      "filter": {
        "journal_synonyms": {"type": "synonym_graph", "synonyms": ["calm, serene, tranquil", "anxiety, worry"]},
        "english_stemmer": {"type": "stemmer", "language": "english"}
      },
      "analyzer": {
        "journal_index": {"type": "custom", "tokenizer": "standard",
                          "filter": ["lowercase", "asciifolding", "english_stemmer"]},
        "journal_search": {"type": "custom", "tokenizer": "standard",
                           "filter": ["lowercase", "asciifolding", "journal_synonyms", "english_stemmer"]}
      }
    }
  },
  '"${MAPPINGS//PLACE/$ANALYZED}"'
}'
else
  INDEX_BODY='{"settings": {"number_of_shards": 1, "number_of_replicas": 0}, '"${MAPPINGS//PLACE/}"'}'
fi

step "create index$([ "$ANALYSIS" = 1 ] && echo ' with custom analyzer')"
req PUT "/$V1" "$INDEX_BODY"
expect '.acknowledged' "acknowledged"
ok

step "analyzer folds, stems and expands synonyms"
if needs "$ANALYSIS" analysis-common; then
req POST "/$V1/_analyze" '{"analyzer": "journal_search", "text": "Serene Cafés meditating"}'
expect '[.tokens[].token] | (index("calm") != null) and (index("cafe") != null) and (index("medit") != null)' \
  "tokens calm, cafe, medit"
ok
fi

step "_bulk 3 documents"
DOCS="$(cat <<'EOF'
{"index": {"_id": "1"}}
{"title": "Meditation for a calm mind", "body": "A short breathing meditation to quiet worry before sleep, written in a Paris café.", "tags": ["meditation", "sleep"], "popularity": 10, "location": {"lat": 48.8566, "lon": 2.3522}}
{"index": {"_id": "2"}}
{"title": "Mindful walking", "body": "Walking meditation in the park: notice each step, each breath and the calm that follows.", "tags": ["meditation", "movement"], "popularity": 50, "location": {"lat": 51.5074, "lon": -0.1278}}
{"index": {"_id": "3"}}
{"title": "Sleep hygiene basics", "body": "Keep a regular bedtime, dim the lights and leave the phone outside the bedroom.", "tags": ["sleep"], "popularity": 5, "location": {"lat": 40.7128, "lon": -74.0060}}
EOF
)"$'\n'
req POST "/$V1/_bulk?refresh=true" "$DOCS"
expect '.errors == false and (.items | length) == 3' "3 items without errors"
ok

step "multi_match fuzziness AUTO + highlight"
req POST "/$V1/_search" '{
  "query": {"multi_match": {"query": "calmm", "fields": ["title^2", "body"], "fuzziness": "AUTO"}},
  "highlight": {"fields": {"body": {}, "title": {}}}
}'
expect '.hits.total.value == 2' "2 hits for the misspelt word"
expect '[.hits.hits[].highlight | (.title // []) + (.body // []) | .[]] | any(test("<em>"))' "<em> highlights"
ok

step "synonym + asciifolding search (serene ~ calm, accents folded)"
if needs "$ANALYSIS" analysis-common; then
req POST "/$V1/_search" '{"query": {"bool": {"must": [
  {"match": {"body": "cafe"}}, {"match": {"title": "serene"}}]}}}'
expect '.hits.total.value == 1 and .hits.hits[0]._id == "1"' "document 1 only"
ok
fi

step "terms aggregation"
req POST "/$V1/_search" '{"size": 0, "aggs": {"tags": {"terms": {"field": "tags"}}}}'
expect '[.aggregations.tags.buckets[] | {(.key): .doc_count}] | add == {"meditation": 2, "sleep": 2, "movement": 1}' \
  "meditation 2, sleep 2, movement 1"
ok

step "more_like_this"
req POST "/$V1/_search" '{"query": {"more_like_this": {"fields": ["title", "body"],
  "like": [{"_index": "'"$V1"'", "_id": "1"}], "min_term_freq": 1, "min_doc_freq": 1, "minimum_should_match": 1}}}'
expect '.hits.total.value >= 1 and all(.hits.hits[]; ._id != "1") and .hits.hits[0]._id == "2"' \
  "document 2 first, not the source document"
ok

if [ "$PAINLESS" = 1 ]; then
  step "function_score with a Painless script_score"
  req POST "/$V1/_search" '{"query": {"function_score": {
    "query": {"match": {"body": "meditation"}},
    "script_score": {"script": {"lang": "painless",
      "source": "params.weight * Math.log(2 + doc[\u0027popularity\u0027].value)", "params": {"weight": 3}}},
    "boost_mode": "replace"}}}'
  expect '.hits.hits[0]._id == "2" and (.hits.hits[0]._score - 3 * (52 | log) | fabs) < 0.001' \
    "document 2 first, scored 3*ln(52)"
  ok
else
  step "function_score with field_value_factor (no Painless)"
  req POST "/$V1/_search" '{"query": {"function_score": {
    "query": {"match": {"body": "meditation"}},
    "field_value_factor": {"field": "popularity", "modifier": "ln2p", "factor": 1},
    "boost_mode": "replace"}}}'
  expect '.hits.hits[0]._id == "2" and (.hits.hits[0]._score - (52 | log) | fabs) < 0.001' \
    "document 2 first, scored ln(52)"
  ok
fi

step "script_score query (Painless)"
if needs "$PAINLESS" lang-painless; then
  req POST "/$V1/_search" '{"query": {"script_score": {"query": {"match_all": {}},
    "script": {"source": "doc[\u0027popularity\u0027].value * 2"}}}}'
  expect '[.hits.hits[]._id] == ["2", "1", "3"] and .hits.hits[0]._score == 100' "order 2, 1, 3; top score 100"
  ok
fi

step "geo_distance filter (50 km around Paris)"
req POST "/$V1/_search" '{"query": {"bool": {"filter": {"geo_distance": {
  "distance": "50km", "location": {"lat": 48.86, "lon": 2.35}}}}}}'
expect '.hits.total.value == 1 and .hits.hits[0]._id == "1"' "document 1 only"
ok

step "_reindex into a second index"
req PUT "/$V2" "$INDEX_BODY"
if needs "$REINDEX" reindex; then
  req POST "/_reindex?refresh=true" '{"source": {"index": "'"$V1"'"}, "dest": {"index": "'"$V2"'"}}'
  expect '.created == 3 and (.failures | length) == 0' "3 created"
  ok
else
  # fill the second index by hand so that the alias swap below has something to find
  req POST "/$V2/_bulk?refresh=true" "$DOCS"
fi

step "alias swap through _aliases"
req POST /_aliases '{"actions": [{"add": {"index": "'"$V1"'", "alias": "'"$ALIAS"'"}}]}'
req POST /_aliases '{"actions": [
  {"remove": {"index": "'"$V1"'", "alias": "'"$ALIAS"'"}},
  {"add": {"index": "'"$V2"'", "alias": "'"$ALIAS"'"}}]}'
expect '.acknowledged' "acknowledged"
req GET "/_alias/$ALIAS"
expect 'keys == ["'"$V2"'"]' "the alias on the second index only"
WORD=calm; [ "$ANALYSIS" = 1 ] && WORD=tranquil
req POST "/$ALIAS/_search" '{"query": {"match": {"title": "'"$WORD"'"}}}'
expect '.hits.total.value == 1 and .hits.hits[0]._index == "'"$V2"'"' "search through the alias hits the second index"
ok

if [ "$skipped" -gt 0 ]; then
  echo "smoke: $passed passed, 0 failed, $skipped skipped"
else
  echo "smoke: $passed passed, 0 failed"
fi

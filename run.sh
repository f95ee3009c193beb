#!/usr/bin/env bash
# Installs what is missing, builds Accrete (CMake preset "dev") and runs the demo: with a
# display it opens the app on a demo dataset, without one it runs the same steps through
# accrete-cli and prints each status transition.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-common.sh

PHOTO_DIR=/usr/share/doc/opencv-doc/examples/data

accrete_install_packages
accrete_configure dev

has_display=false
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    has_display=true
fi

targets=(accrete-cli)
if $has_display; then
    targets+=(accrete)
fi
for target in "${targets[@]}"; do
    if ! accrete_has_target dev "$target"; then
        echo "error: the build has no target '$target' yet; run ./test.sh to see what builds" >&2
        exit 1
    fi
done
cmake --build --preset dev --target "${targets[@]}"

cli=build/dev/app/cli/accrete-cli

# Splits the opencv-doc photos in two halves: the first half into $1 (the dataset's
# initial media), the second into $2 (media to add later). Photos under 8 KiB are synthetic
# masks and are left out.
split_photos() {
    local first=$1 second=$2 photos half i
    mkdir -p "$first" "$second"
    mapfile -t photos < <(find "$PHOTO_DIR" -maxdepth 1 -type f \( -name '*.jpg' -o -name '*.png' \) -size +8k | sort)
    if [[ ${#photos[@]} -eq 0 ]]; then
        echo "error: no photos in $PHOTO_DIR; install the opencv-doc package" >&2
        exit 1
    fi
    half=$(( ${#photos[@]} / 2 ))
    for i in "${!photos[@]}"; do
        if (( i < half )); then
            cp "${photos[$i]}" "$first/"
        else
            cp "${photos[$i]}" "$second/"
        fi
    done
}

# Reads one field of the JSON object on stdin.
json_field() {
    python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

run_with_display() {
    local demo=${XDG_DATA_HOME:-$HOME/.local/share}/accrete-demo
    local data=$demo/data id=""
    mkdir -p "$demo"
    if [[ -f "$demo/dataset-id" ]]; then
        id=$(cat "$demo/dataset-id")
        if ! "$cli" --data-dir "$data" status -d "$id" >/dev/null 2>&1; then
            id=""
        fi
    fi
    if [[ -z "$id" ]]; then
        echo "Creating the demo dataset in $data"
        rm -rf "$demo/initial" "$demo/to-drop" "$demo/to-drop.tar.gz"
        split_photos "$demo/initial" "$demo/to-drop"
        tar -czf "$demo/to-drop.tar.gz" -C "$demo" to-drop
        id=$("$cli" --data-dir "$data" create -n "Demo photos" -p "$demo/initial" --wait --json | json_field id)
        echo "$id" > "$demo/dataset-id"
    fi
    echo "Demo dataset $id in $data"
    echo "Photos to drop onto the dataset window:"
    echo "  folder:  $demo/to-drop"
    echo "  archive: $demo/to-drop.tar.gz"
    local app
    app=$(find build/dev -maxdepth 3 -type f -name accrete -perm -u+x | head -n 1)
    exec "$app" --data-dir "$data" --dataset "$id"
}

run_headless() {
    # Global, because the EXIT trap runs after this function's locals are gone.
    demo_work=$(mktemp -d -t accrete-demo.XXXXXX)
    trap 'rm -rf "$demo_work"' EXIT
    local work=$demo_work
    local data=$work/data
    echo "No display (DISPLAY and WAYLAND_DISPLAY are unset): running the demo with accrete-cli in $work"

    split_photos "$work/initial" "$work/batch"
    tar -czf "$work/batch.tar.gz" -C "$work" batch

    echo
    echo "== Create a dataset from $(ls "$work/initial" | wc -l) photos"
    local id
    id=$("$cli" --data-dir "$data" create -n "Demo photos" -p "$work/initial" --wait --json | json_field id)
    echo "dataset id: $id"

    echo
    echo "== Add a batch of $(ls "$work/batch" | wc -l) photos from $work/batch.tar.gz"
    "$cli" --data-dir "$data" add-media -d "$id" --archive "$work/batch.tar.gz" --wait

    echo
    echo "== Reindex"
    "$cli" --data-dir "$data" reindex -d "$id" --wait

    echo
    echo "== Result"
    "$cli" --data-dir "$data" status -d "$id" --json | python3 -c '
import json, sys
dataset = json.load(sys.stdin)
print("status:           %s" % dataset["status_new"])
print("media:            %d (%d images, %d videos)" % (dataset["n_images"] + dataset["n_videos"], dataset["n_images"], dataset["n_videos"]))
print("clusters:         %d" % dataset["n_clusters"])
print("duplicate groups: %d" % dataset["n_duplicate_groups"])
'
}

if $has_display; then
    run_with_display
else
    run_headless
fi

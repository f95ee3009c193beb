# Shared by run.sh and test.sh: the Debian 12 packages Accrete needs, their installation,
# and the CMake configure step. Source this file: it defines variables and functions and
# runs nothing.

# Build and runtime dependencies on Debian 12 (bookworm).
ACCRETE_PACKAGES=(
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-tools-dev qt6-tools-dev-tools
    qt6-l10n-tools qt6-httpserver-dev qt6-websockets-dev qt6-image-formats-plugins qt6-svg-dev
    qt6-qpa-plugins libarchive-dev libgl1-mesa-dev libavformat-dev libavcodec-dev
    libswscale-dev libavutil-dev ffmpeg libheif-dev xvfb xauth imagemagick fonts-dejavu-core
    ninja-build cmake pkg-config g++ libhnswlib-dev qtkeychain-qt6-dev libjwt-dev libexif-dev
    opencv-doc ccache curl python3 python3-requests libcpp-httplib-dev clang libclang-rt-14-dev
    libcurl4-openssl-dev nodejs npm
)

# Returns success when an installed package provides `package`. NodeSource's nodejs, for
# example, provides npm and conflicts with Debian's npm package, so installing npm beside it
# would fail.
accrete_package_provided() {
    local package=$1 provided
    # The list is read whole before it is searched: `grep -q` would stop reading at the first
    # match, and the SIGPIPE of the writers fails the pipeline when the caller sets pipefail.
    provided=$(dpkg-query -W -f='${db:Status-Status} ${Provides}\n' 2>/dev/null |
        grep '^installed ' | tr ',' '\n' | sed -e 's/^installed //' -e 's/(.*)//' -e 's/ //g')
    grep -qx -- "$package" <<<"$provided"
}

# Prints the packages of ACCRETE_PACKAGES that neither dpkg lists as installed nor an
# installed package provides, one a line.
accrete_missing_packages() {
    local package status
    for package in "${ACCRETE_PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
        if [[ "$status" == "install ok installed" ]] || accrete_package_provided "$package"; then
            continue
        fi
        echo "$package"
    done
}

# Installs the missing packages with apt-get. Runs `apt-get update` only when something is
# missing. Returns non-zero, after printing the command to run, when not root.
accrete_install_packages() {
    local missing
    mapfile -t missing < <(accrete_missing_packages)
    if [[ ${#missing[@]} -eq 0 ]]; then
        return 0
    fi
    echo "Missing Debian packages: ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then
        echo "Install them as root, then run this script again:" >&2
        echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
        return 1
    fi
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

# Configures the build tree of a CMake preset (dev, ci, headless) unless it is configured
# already; Ninja re-runs CMake by itself when a CMakeLists.txt changes.
accrete_configure() {
    local preset=$1
    if [[ ! -f "build/$preset/CMakeCache.txt" ]]; then
        cmake --preset "$preset"
    fi
}

# Returns success when the configured build tree of `preset` has the target `target`.
accrete_has_target() {
    local preset=$1 target=$2
    local targets
    targets=$(cmake --build --preset "$preset" --target help 2>/dev/null || true)
    grep -q "^${target}:" <<<"$targets"
}

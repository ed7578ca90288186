# Sourced by scripts/format and scripts/check-format: cpp_sources prints the C++ sources they work on,
# NUL-separated: the tracked *.cpp / *.hpp files under core/, wasm/ and tests/ (every such file when the tree is
# not a git checkout).
cpp_sources() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z -- 'core/*.cpp' 'core/*.hpp' 'wasm/*.cpp' 'wasm/*.hpp' 'tests/*.cpp' 'tests/*.hpp'
  else
    find core wasm tests -type f \( -name '*.cpp' -o -name '*.hpp' \) -print0 | sort -z
  fi
}

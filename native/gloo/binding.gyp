{
  "targets": [
    {
      "target_name": "nodetorch_gloo",
      "sources": ["gloo_binding.cc", "../dist/store.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2", "-O0"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2", "-O0", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-pthread"],
      "ldflags": ["-pthread", "-L<!(node ../../scripts/find-gloo.js libdir)", "-Wl,-rpath,<!(node ../../scripts/find-gloo.js libdir)"],
      "libraries": ["-lgloo"]
    }
  ]
}

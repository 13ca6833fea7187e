{
  "targets": [
    {
      "target_name": "blurcam_native",
      "sources": ["addon.c", "blend-person.c", "lay-background.c"],
      "cflags_c": ["-std=c11", "-O3", "-Wall", "-Wextra"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=c11", "-O3", "-Wall", "-Wextra"],
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      }
    }
  ]
}

// node-llama-cpp's GPU builds that no .vsix carries (CUDA is about 540 MB unpacked, Vulkan about 80 MB): the npm
// packages that "Download CUDA Binaries" and "Download Vulkan Binaries" install, per platform, pinned at the installed
// node-llama-cpp version with package-lock.json's hashes. Plain data, so the host can name the command too.

export interface RuntimePackage {
  name: string;
  version: string;
  /** The Subresource Integrity string ("sha512-<base64>") recorded when the extension was built, if known. */
  pinnedIntegrity?: string;
}

export type GpuRuntimeBackend = "cuda" | "vulkan";

interface GpuRuntimeDownload {
  /** The command palette's title, as package.json has it. */
  commandTitle: string;
  label: string;
  /** What the download weighs, for the consent prompt. */
  approximateSize: string;
  /** Keyed by node-llama-cpp's platform name: "linux-x64", "win-x64". */
  packages: Readonly<Partial<Record<string, readonly RuntimePackage[]>>>;
}

const version = "3.21.1";

export const gpuRuntimeDownloads: Readonly<Record<GpuRuntimeBackend, GpuRuntimeDownload>> = {
  cuda: {
    commandTitle: "Llama Assist: Download CUDA Binaries",
    label: "CUDA",
    approximateSize: "about 320 MB, 540 MB unpacked",
    packages: {
      "linux-x64": [
        {
          name: "@node-llama-cpp/linux-x64-cuda",
          version,
          pinnedIntegrity:
            "sha512-idsE55VoD/FbvLhnBC9krUJaUoC0XnebseAAnCpm/brKf61HEbu+idgbb5eN6mxkjLSrHtILprJ0nDcUJjVrFg==",
        },
        {
          name: "@node-llama-cpp/linux-x64-cuda-ext",
          version,
          pinnedIntegrity:
            "sha512-1PuURowccBcks3CCoMe1mTHh5vD0V5bFHMUEgtbI/OSDjpP+Pdbn+lf42CGUrepTzR8kCH1HovQ7d8q6/vuIKA==",
        },
      ],
      "win-x64": [
        {
          name: "@node-llama-cpp/win-x64-cuda",
          version,
          pinnedIntegrity:
            "sha512-PLz70neFEMkQTlmJqG1ujUtCSgHasLPMxQ9rLkqQVmZYAXqkRj+45TIHCjdn3XqUeaoun0vrO9rRaxZ8NVq9jg==",
        },
        {
          name: "@node-llama-cpp/win-x64-cuda-ext",
          version,
          pinnedIntegrity:
            "sha512-L2MxLVEYPDDe4O8EDWPmX6brldc9+Vt9hNoT/anj3pSnmrjkQcmaoKhHs6oP5qhEhb5Uog0rj6lgzNGtJO3p9Q==",
        },
      ],
    },
  },
  vulkan: {
    commandTitle: "Llama Assist: Download Vulkan Binaries",
    label: "Vulkan",
    approximateSize: "about 27 MB, 80 MB unpacked",
    packages: {
      "linux-x64": [
        {
          name: "@node-llama-cpp/linux-x64-vulkan",
          version,
          pinnedIntegrity:
            "sha512-flEeSzONQ6OIm5bYKLQf4eEnBzcC5WugFbyPUwkCqyyOFZ8pH0H9ulQ7ZNDLSIczeKneMRJornlyY1Hq7d3GDA==",
        },
      ],
      "win-x64": [
        {
          name: "@node-llama-cpp/win-x64-vulkan",
          version,
          pinnedIntegrity:
            "sha512-HJ237Azh5m4Sz+w3A1IU/fYLaSDOocskcfn2ILTgqTuuORCB86EMnu3Yt/XsNhRHTtEiwz1Q/E0mO4PLIbZLAA==",
        },
      ],
    },
  },
};

/** node-llama-cpp's name for a Node platform and architecture: win32 is "win", as in its package names. */
export function runtimePlatform(platform: string, arch: string): string {
  return `${platform === "win32" ? "win" : platform}-${arch}`;
}

export function gpuRuntimePackagesFor(
  backend: GpuRuntimeBackend,
  platform: string,
): readonly RuntimePackage[] | undefined {
  return gpuRuntimeDownloads[backend].packages[platform];
}

/** The sentence that sends a user whose GPU backend did not load to its download, where this platform has one. */
export function gpuRuntimeDownloadHint(backend: string, platform: string): string | undefined {
  if (backend !== "cuda" && backend !== "vulkan") return undefined;
  if (gpuRuntimePackagesFor(backend, platform) === undefined) return undefined;
  return `if its binaries are not installed yet, run "${gpuRuntimeDownloads[backend].commandTitle}"`;
}

import type { Stage } from './stage.js';
import { loadCatalogStage } from './stages/load-catalog.js';
import { resolveVersion } from './stages/resolve-version.js';
import { selectPatchesStage } from './stages/select-patches.js';
import { connectDocker } from './stages/connect-docker.js';
import { fetchSource } from './stages/fetch-source.js';
import { prepareStaging } from './stages/prepare-staging.js';
import { toolchainImages } from './stages/toolchain-images.js';
import { compile } from './stages/compile.js';
import { abiGate } from './stages/abi-gate.js';
import { smokeTest } from './stages/smoke-test.js';
import { packageAssets } from './stages/package.js';
import { checksums } from './stages/checksums.js';
import { artifactsManifest } from './stages/artifacts-manifest.js';
import { assetDefinitionStage } from './stages/asset-definition.js';
import { publishDist } from './stages/publish-dist.js';
import { platformBuilds } from './stages/platform-builds.js';

/**
 * The build, top to bottom. Every stage reads and writes the one BuildContext; each lives in its
 * own file under stages/. Input is checked before anything is built, and nothing reaches dist/
 * until the last stage swaps the finished staging directory in.
 */
export const buildPipeline: readonly Stage[] = [
  loadCatalogStage, //   read platforms.yaml, select the requested platforms
  resolveVersion, //     the release tag (verbatim) and SOURCE_DATE_EPOCH
  selectPatchesStage, // our patches (none only with --no-patches)
  prepareStaging, //     dist/ may be replaced; a private directory beside it becomes dist/ at the end
  connectDocker, //      reach the engine before doing any work
  fetchSource, //        download (or take --source) and verify the Tripwire tarball
  // Each platform on its own, up to --jobs at once; the first failure stops the others.
  platformBuilds([
    toolchainImages, //  base image present (or pulled), toolchain image built from it
    compile, //          hermetic: no network, verified source in, four stripped binaries out (or the compile cache's)
    abiGate, //          loader, NEEDED and symbol versions fit the platform's oldest C library
    smokeTest, //        the binaries run in a clean container of the base image
  ]),
  packageAssets, //      reproducible tar.gz per platform, SHA-512 computed while writing
  checksums, //          sha512sum-format checksums file
  artifactsManifest, //  dist/artifacts.json for the release stages
  assetDefinitionStage, // Sensu asset definition (GitHub URLs, SHA-512, filters) and example checks
  publishDist, //        replace dist/ with the staging directory in one step
];

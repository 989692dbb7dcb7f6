/** The release as this tool sees it: a few fields of GitHub's objects, and the files to publish. */

export interface Release {
  id: number;
  tagName: string;
  draft: boolean;
  /** Published immutable releases refuse any change to their assets. */
  immutable: boolean;
  /** GitHub's template, e.g. https://uploads.github.com/repos/o/r/releases/1/assets{?name,label} */
  uploadUrl: string;
  htmlUrl: string;
}

export interface RemoteAsset {
  id: number;
  name: string;
  size: number;
  /** "uploaded" when complete; "starter" is left behind by a failed upload. */
  state: string;
  /** e.g. "sha256:…", or null where GitHub returns none (assets from before it computed them). */
  digest: string | null;
}

export interface LocalFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface DraftSpec {
  tag: string;
  name: string;
  body: string;
  prerelease: boolean;
  /** The commit GitHub tags when the tag does not exist yet (ignored when it does). */
  targetCommitish?: string;
}

/** What the release needs from GitHub; builders/release/github.ts implements it with octokit. */
export interface GitHub {
  /** The repository as the token sees it; canPush is undefined when GitHub does not say. */
  repository(): Promise<{ fullName: string; canPush: boolean | undefined }>;
  /** The published release for the tag, else the (oldest) draft with that tag, else undefined. */
  findRelease(tag: string): Promise<Release | undefined>;
  createDraft(spec: DraftSpec): Promise<Release>;
  listAssets(releaseId: number): Promise<RemoteAsset[]>;
  /** Uploads from the file on disk (re-read on every attempt); 'exists' when the name is taken. */
  upload(release: Release, file: LocalFile, label?: string): Promise<RemoteAsset | 'exists'>;
  deleteAsset(assetId: number): Promise<void>;
  download(assetId: number): Promise<Buffer>;
  publish(releaseId: number): Promise<Release>;
}

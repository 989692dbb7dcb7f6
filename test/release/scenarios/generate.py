#!/usr/bin/env python3
"""Writes the release scenarios in @octokit/fixtures recorded format (see README.md here)."""
import hashlib, json, os
OUT = os.path.dirname(os.path.abspath(__file__))
OWNER, REPO, TAG = 'octokit-fixture-org', 'sensu-tripwire', '1.2.3'
API, UP = 'https://api.github.com:443', 'https://uploads.github.com:443'
TOKEN = 'token 0000000000000000000000000000000000000001'
TARBALL_NAME = f'sensu-tripwire_{TAG}_debian12_linux_amd64.tar.gz'
SUMS_NAME = f'sensu-tripwire_{TAG}_sha512-checksums.txt'
TARBALL = 'sensu-tripwire debian12 asset bytes\n'
SUMS = hashlib.sha512(TARBALL.encode()).hexdigest() + '  ' + TARBALL_NAME + '\n'
DATE = 'Tue, 10 Oct 2017 16:00:00 GMT'
R = f'/repos/{OWNER}/{REPO}'
JSONH = {'content-type': 'application/json; charset=utf-8', 'date': DATE, 'x-github-media-type': 'github.v3; format=json'}

def fx(method, path, status, response, body='', scope=API, reqheaders=None, headers=None):
    rh = {'accept': 'application/vnd.github.v3+json', 'authorization': TOKEN, 'host': scope.split('//')[1].split(':')[0]}
    rh.update(reqheaders or {})
    h = dict(JSONH); h.update(headers or {})
    if status == 204: h = {'date': DATE}
    return {'scope': scope, 'method': method, 'path': path, 'body': body, 'status': status, 'response': response,
            'reqheaders': rh, 'responseIsBinary': False, 'headers': h}

def release(rid, tag, draft, immutable=False, assets=None):
    return {'url': f'https://api.github.com{R}/releases/{rid}', 'assets_url': f'https://api.github.com{R}/releases/{rid}/assets',
            'upload_url': f'https://uploads.github.com{R}/releases/{rid}/assets{{?name,label}}',
            'html_url': f'https://github.com/{OWNER}/{REPO}/releases/tag/{tag}' if not draft else f'https://github.com/{OWNER}/{REPO}/releases/tag/untagged-{rid}',
            'id': rid, 'node_id': 'RE_0000', 'tag_name': tag, 'target_commitish': 'main', 'name': f'sensu-tripwire {tag}',
            'draft': draft, 'immutable': immutable, 'prerelease': False, 'created_at': '2017-10-10T16:00:00Z',
            'published_at': None if draft else '2017-10-10T16:00:00Z', 'assets': assets or [], 'body': 'test release'}

def asset(aid, name, content, state='uploaded', digest=True, ctype='application/gzip', size=None):
    data = content.encode()
    return {'url': f'https://api.github.com{R}/releases/assets/{aid}', 'id': aid, 'node_id': 'RA_0000', 'name': name, 'label': None,
            'content_type': ctype, 'state': state, 'size': len(data) if size is None else size,
            'digest': ('sha256:' + hashlib.sha256(data).hexdigest()) if digest else None,
            'download_count': 0, 'created_at': '2017-10-10T16:00:00Z', 'updated_at': '2017-10-10T16:00:00Z',
            'browser_download_url': f'https://github.com/{OWNER}/{REPO}/releases/download/{TAG}/{name}'}

def repo_get(status=200, response=None, headers=None):
    return fx('get', R, status, response or {'id': 1000, 'name': REPO, 'full_name': f'{OWNER}/{REPO}', 'private': False,
              'permissions': {'admin': False, 'maintain': False, 'push': True, 'triage': True, 'pull': True}}, headers=headers)

NOT_FOUND = {'message': 'Not Found', 'documentation_url': 'https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name', 'status': '404'}
def tag_404(): return fx('get', f'{R}/releases/tags/{TAG}', 404, NOT_FOUND)
def tag_200(rel): return fx('get', f'{R}/releases/tags/{TAG}', 200, rel)
def list_releases(items): return fx('get', f'{R}/releases?per_page=100', 200, items)
def create_draft(): return fx('post', f'{R}/releases', 201, release(2000, TAG, True),
        body={'tag_name': TAG, 'name': f'sensu-tripwire {TAG}', 'body': 'test release', 'draft': True, 'prerelease': False},
        reqheaders={'content-type': 'application/json; charset=utf-8'})
def list_assets(items, rid=2000): return fx('get', f'{R}/releases/{rid}/assets', 200, items)
def upload(name, content, status, response, ctype, rid=2000):
    return fx('post', f'{R}/releases/{rid}/assets?name={name}', status, response, body=content, scope=UP, reqheaders={'content-type': ctype})
def upload_tarball(aid=3001, status=201, response=None):
    return upload(TARBALL_NAME, TARBALL, status, response or asset(aid, TARBALL_NAME, TARBALL), 'application/gzip')
def upload_sums(aid=3002, status=201, response=None):
    return upload(SUMS_NAME, SUMS, status, response or asset(aid, SUMS_NAME, SUMS, ctype='text/plain'), 'text/plain')
def publish(): return fx('patch', f'{R}/releases/2000', 200, release(2000, TAG, False, assets=[asset(3001, TARBALL_NAME, TARBALL), asset(3002, SUMS_NAME, SUMS, ctype='text/plain')]),
        body={'draft': False}, reqheaders={'content-type': 'application/json; charset=utf-8'})
def delete(aid): return fx('delete', f'{R}/releases/assets/{aid}', 204, '')

BOTH = [asset(3001, TARBALL_NAME, TARBALL), asset(3002, SUMS_NAME, SUMS, ctype='text/plain')]
BAD_GATEWAY = {'message': 'Server Error'}

scenarios = {
  'sensu-tripwire-new-release': [repo_get(), tag_404(), list_releases([]), create_draft(), upload_tarball(), upload_sums(), list_assets(BOTH), publish()],
  'sensu-tripwire-reuse-draft': [repo_get(), tag_404(), list_releases([release(1999, '1.2.2', False), release(2000, TAG, True)]),
        list_assets([asset(3001, TARBALL_NAME, TARBALL)]), upload_sums(), list_assets(BOTH), publish()],
  'sensu-tripwire-partial-failure': [repo_get(), tag_404(), list_releases([]), create_draft(), upload_tarball()]
        + [upload_sums(status=502, response=BAD_GATEWAY) for _ in range(4)],
  'sensu-tripwire-resume': [repo_get(), tag_404(), list_releases([release(2000, TAG, True)]),
        list_assets([asset(3001, TARBALL_NAME, TARBALL), asset(3002, SUMS_NAME, '', state='starter', digest=False, ctype='text/plain')]),
        delete(3002), upload_sums(aid=3003), list_assets([BOTH[0], asset(3003, SUMS_NAME, SUMS, ctype='text/plain')]), publish()],
  'sensu-tripwire-retry-upload': [repo_get(), tag_404(), list_releases([]), create_draft(), upload_tarball(status=500, response=BAD_GATEWAY),
        upload_tarball(status=503, response=BAD_GATEWAY), upload_tarball(), upload_sums(), list_assets(BOTH), publish()],
  'sensu-tripwire-conflict': [repo_get(), tag_200(release(2000, TAG, False)),
        list_assets([asset(3001, TARBALL_NAME, TARBALL.replace('bytes', 'BYTES')), BOTH[1]])],
  'sensu-tripwire-immutable': [repo_get(), tag_200(release(2000, TAG, False, immutable=True)), list_assets([BOTH[0]])],
  'sensu-tripwire-no-digest': [repo_get(), tag_404(), list_releases([release(2000, TAG, True)]),
        list_assets([asset(3001, TARBALL_NAME, TARBALL, digest=False)]),
        fx('get', f'{R}/releases/assets/3001', 200, TARBALL, reqheaders={'accept': 'application/octet-stream'}, headers={'content-type': 'application/octet-stream'}),
        upload_sums(), list_assets(BOTH), publish()],
  'sensu-tripwire-bad-credentials': [repo_get(401, {'message': 'Bad credentials', 'documentation_url': 'https://docs.github.com/rest', 'status': '401'})],
  'sensu-tripwire-rate-limited': [repo_get(403, {'message': 'API rate limit exceeded for user ID 1000.', 'documentation_url': 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api', 'status': '403'},
                                          headers={'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1507651200', 'x-ratelimit-used': '5000', 'x-ratelimit-resource': 'core'}),
        repo_get(), tag_200(release(2000, TAG, False, assets=BOTH)), list_assets(BOTH), list_assets(BOTH)],
}
os.makedirs(OUT, exist_ok=True)
for name, fixtures in scenarios.items():
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        f.write(json.dumps(fixtures, indent=2) + '\n')
print(len(scenarios), 'scenarios;', 'tarball', TARBALL_NAME)

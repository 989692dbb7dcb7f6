import { ASSET_NAME, ASSET_NAMESPACE } from './sensu-asset.js';

/**
 * Example core/v2 CheckConfig resources that run the asset's wrappers, written beside the asset
 * definition so that `sensuctl create -f` of both gives a working check.
 */

export const CHECKS_FILE = 'sensu-tripwire-checks.yml';

export interface CheckResource {
  type: 'CheckConfig';
  api_version: 'core/v2';
  metadata: { name: string; namespace: string };
  spec: {
    command: string;
    runtime_assets: string[];
    subscriptions: string[];
    interval: number;
    timeout: number;
    publish: boolean;
  };
}

function check(name: string, command: string, spec: { interval: number; timeout: number; subscriptions: string[] }): CheckResource {
  return {
    type: 'CheckConfig',
    api_version: 'core/v2',
    metadata: { name, namespace: ASSET_NAMESPACE },
    spec: { command, runtime_assets: [ASSET_NAME], subscriptions: spec.subscriptions, interval: spec.interval, timeout: spec.timeout, publish: true },
  };
}

/**
 * The README's checks. tripwire-check.sh creates a profile's signed baseline on its first run and
 * compares against it afterwards: without paths it applies the host family's default policy;
 * with paths (`/var/www/*`, expanded by the agent's shell) it watches just those, in a baseline of their own.
 */
export function exampleChecks(): CheckResource[] {
  return [
    check('tripwire-system', 'tripwire-check.sh', { interval: 3600, timeout: 1800, subscriptions: ['tripwire'] }),
    check('tripwire-web', 'tripwire-check.sh /var/www/*', { interval: 600, timeout: 300, subscriptions: ['web'] }),
  ];
}

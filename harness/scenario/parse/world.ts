/**
 * The orgs and peers a scenario declares: each name once, a NAT preset only behind a LAN, one NAT
 * per LAN (its router's).
 */
import { NAT_PRESETS, type NatPreset } from '../../net/router.js';
import { isObject, suggestion, type Problems } from '../../yaml/index.js';
import type { OrgSpec, PeerSpec } from '../model.js';

export interface World {
  orgs: OrgSpec[];
  peers: PeerSpec[];
  orgByName: Map<string, OrgSpec>;
  peerNames: Set<string>;
}

export function checkWorld(data: unknown, problems: Problems): World {
  const raw = isObject(data) ? data : {};
  const orgs: OrgSpec[] = [];
  const orgByName = new Map<string, OrgSpec>();
  const orgLines = new Map<string, number>();
  if (Array.isArray(raw.orgs)) {
    raw.orgs.forEach((name, i) => {
      if (typeof name !== 'string') return;
      if (orgByName.has(name)) {
        problems.add(['orgs', i], `org "${name}" is declared twice (first at line ${orgLines.get(name)})`);
        return;
      }
      const spec: OrgSpec = { name, kind: 'contract' };
      orgs.push(spec);
      orgByName.set(name, spec);
      orgLines.set(name, problems.map?.position(['orgs', i]).line ?? 0);
    });
  } else if (isObject(raw.orgs)) {
    for (const [name, kind] of Object.entries(raw.orgs)) {
      const spec: OrgSpec = { name, kind: kind === 'address' ? 'address' : 'contract' };
      orgs.push(spec);
      orgByName.set(name, spec);
    }
  }

  const peers: PeerSpec[] = [];
  const peerNames = new Set<string>();
  const peerLines = new Map<string, number>();
  if (Array.isArray(raw.peers)) {
    raw.peers.forEach((name, i) => {
      if (typeof name !== 'string') return;
      if (peerNames.has(name)) {
        problems.add(['peers', i], `peer "${name}" is declared twice (first at line ${peerLines.get(name)})`);
        return;
      }
      peers.push({ name });
      peerNames.add(name);
      peerLines.set(name, problems.map?.position(['peers', i]).line ?? 0);
    });
  } else if (isObject(raw.peers)) {
    // A LAN has one router, so one NAT preset: the first peer that names it sets it.
    const lanNat = new Map<string, { nat: NatPreset; peer: string; line: number }>();
    for (const [name, value] of Object.entries(raw.peers)) {
      peerNames.add(name);
      const spec: PeerSpec = { name };
      peers.push(spec);
      if (!isObject(value)) continue;
      const lan = typeof value.lan === 'string' ? value.lan : undefined;
      if (lan) spec.lan = lan;
      if (typeof value.nat !== 'string') continue;
      const path = ['peers', name, 'nat'];
      if (!NAT_PRESETS.includes(value.nat as NatPreset)) {
        problems.add(path, `unknown NAT preset "${value.nat}"${suggestion(value.nat, NAT_PRESETS)}`);
        continue;
      }
      const nat = value.nat as NatPreset;
      if (value.lan === undefined) {
        problems.add(
          path,
          `needs a lan: a peer behind NAT sits in a LAN behind its router (e.g. lan: home1); leave out nat for a peer straight on the internet`,
        );
        continue;
      }
      if (!lan) continue;
      const first = lanNat.get(lan);
      if (first && first.nat !== nat) {
        problems.add(
          path,
          `LAN "${lan}" is already behind a ${first.nat} NAT (peer ${first.peer}, line ${first.line}): peers in one LAN share its router`,
        );
        continue;
      }
      if (!first) lanNat.set(lan, { nat, peer: name, line: problems.map?.position(path).line ?? 0 });
      spec.nat = nat;
    }
    for (const spec of peers) {
      const nat = spec.lan ? lanNat.get(spec.lan)?.nat : undefined;
      if (nat && !spec.nat) spec.nat = nat;
    }
  }
  return { orgs, peers, orgByName, peerNames };
}

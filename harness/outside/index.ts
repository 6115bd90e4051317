/**
 * The outside view of a provider (SPEC.md §4), the one way scenarios, load runs and tests observe
 * it: DNS records from the topology's server, HTTP by Host through the published address, TCP and
 * radicle handshakes from the harness's own peers, node containers by label. Nothing here reads the
 * provider's internals.
 */
export { SERVICE, labelOf, fqdnOf, browseNameOf, instanceNameOf } from './names.js';
export {
  aRecords,
  ptrRecords,
  browseRecords,
  srvRecords,
  txtRecords,
  lookup,
  parseTxt,
  publishedOf,
  dialAddress,
  type Records,
  type SrvRecord,
  type TxtRecord,
  type Published,
} from './dns.js';
export {
  httpGet,
  httpAnswer,
  parseHttpAnswer,
  nodeInfo,
  servesRepo,
  repoHead,
  type HttpAnswer,
  type HttpGetOptions,
  type NodeInfo,
} from './http.js';
export {
  tcpOpen,
  handshake,
  freshHandshake,
  sessionWith,
  timedDial,
  disconnect,
  type Handshake,
  type TimedDial,
} from './p2p.js';
export { ORG_LABEL, orgContainers, type OrgContainersOptions } from './containers.js';
export {
  observeOrg,
  observeGone,
  servedObligations,
  goneObligations,
  endpointOf,
  answeringNid,
  problemsOf,
  type Obligation,
  type OrgObservation,
  type GoneObservation,
  type Dial,
  type LastSeen,
  type ObserveOptions,
} from './served.js';

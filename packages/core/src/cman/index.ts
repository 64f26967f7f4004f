/**
 * Import of cman / rgmanager `cluster.conf` files (RHEL 5/6, Proxmox VE 2-3) into the `cluster:`
 * document. Pure and CLI-free: a command such as `quorate import` reads the file and prints the
 * document and the warnings.
 */
export {
  type ClusterConfImport,
  importClusterConf,
  type RawClusterDocument,
  renderClusterConfImport,
} from './cluster-conf.js';

// Phase-1 placeholder: proves the example runs against the built binding.
import { echo } from '../../bindings-node/index.js'
console.log(await echo('walkthrough placeholder'))

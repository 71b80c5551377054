import { runPolicyDemo } from './demo.js'

for (const line of await runPolicyDemo()) console.log(line)

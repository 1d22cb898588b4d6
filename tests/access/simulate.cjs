// Asks @cloud-copilot/iam-simulate (an offline IAM evaluator independent of agentform) every
// request of tests/access.rs: reads a JSON array of simulations on stdin, prints a JSON array of
// answers ("Allowed", "ExplicitlyDenied", "ImplicitlyDenied", or {"error": ...}).
// Usage: node simulate.cjs <node_modules> < simulations.json
const { createRequire } = require('module');
const modules = process.argv[2];
const { runSimulation } = createRequire(modules + '/')('@cloud-copilot/iam-simulate');

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', async () => {
  const answers = [];
  for (const simulation of JSON.parse(input)) {
    const response = await runSimulation(simulation, {});
    if (response.resultType === 'error') {
      answers.push({ error: response.errors });
    } else {
      answers.push(response.overallResult);
    }
  }
  process.stdout.write(JSON.stringify(answers));
});

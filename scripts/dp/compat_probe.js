// One row of the compatibility matrix for datapackage-js, run by node with the npm package installed
// in the folder given by NODE_PATH. Usage: node compat_probe.js DESCRIPTOR ZIP
// Prints one JSON object {"version", "repo", "zip", "typed"}, each cell "works" or the reason it does not.
const path = require('path')
const {Package} = require('datapackage')

const SHOWN = 3

function short(text, limit = 200) {
  text = String(text).split(/\s+/).join(' ')
  return text.length <= limit ? text : text.slice(0, limit - 3) + '...'
}

function first(reasons) {
  const more = reasons.length > SHOWN ? ` (+${reasons.length - SHOWN} more)` : ''
  return reasons.slice(0, SHOWN).map((reason) => short(reason, 150)).join('; ') + more
}

// Open the package and read every table, checking its foreign keys unless relations is false (with them,
// datapackage-js puts the referenced row in place of each key); the tables' rows when it works.
async function open(source, relations = true) {
  const pkg = await Package.load(source)
  if (!pkg.valid) throw new Error('invalid: ' + first(pkg.errors.map((error) => error.message)))
  const tables = []
  for (const resource of pkg.resources) {
    if (!resource.tabular) continue
    const rows = await resource.read({keyed: true, relations})
    tables.push({name: resource.name, types: Object.fromEntries(resource.schema.fields.map((f) => [f.name, f.type])), rows})
  }
  return tables
}

const CHECKS = {
  string: (value) => typeof value === 'string',
  number: (value) => typeof value === 'number' || (value && value.constructor && value.constructor.name === 'Decimal'),
  integer: (value) => Number.isInteger(value),
  date: (value) => value instanceof Date,
}

function typed(tables) {
  if (!tables.length) return 'reads no table'
  const wrong = []
  for (const table of tables) {
    table.rows.forEach((row, index) => {
      for (const [field, value] of Object.entries(row)) {
        const check = CHECKS[table.types[field]]
        if (value !== null && value !== undefined && check && !check(value)) {
          wrong.push(`${table.name} row ${index + 2} ${field}: ${typeof value} for ${table.types[field]}`)
        }
      }
    })
  }
  return wrong.length ? 'wrong types: ' + first(wrong) : 'works'
}

async function cell(make) {
  try {
    return await make()
  } catch (error) {
    const message = String(error.message || error)
    return message.startsWith('invalid: ') ? message : 'fails: ' + short(message)
  }
}

async function main(descriptor, zip) {
  const version = require(path.join(require.resolve('datapackage'), '..', '..', 'package.json')).version
  const result = {
    version,
    repo: await cell(async () => (await open(descriptor), 'works')),
    zip: await cell(async () => (await open(zip), 'works')),
    typed: await cell(async () => typed(await open(descriptor, false))),
  }
  console.log(JSON.stringify(result))
}

main(process.argv[2], process.argv[3])

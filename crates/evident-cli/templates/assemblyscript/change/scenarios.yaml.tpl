# Scenarios for {{name}}, run with: evident test . scenarios.yaml
scenarios:
  - name: an increment emits the new value
    when:
      command: {type: increment, by: 2}
    then:
      events:
        - {type: counter.incremented, id: counter-2, data: {by: 2, value: 2}}

  - name: increments add to the stored value
    given:
      state: {value: 40}
    when:
      command: {type: increment, by: 2}
      command_format: cbor
    then:
      events:
        - {id: counter-42, data: {by: 2, value: 42}}

  - name: going over the limit is refused
    parameters: {limit: "10"}
    given:
      state: {value: 9}
    when:
      command: {type: increment, by: 2}
    then:
      error: over-limit

  - name: a limit that is not a number is refused
    parameters: {limit: lots}
    when:
      command: {type: increment, by: 1}
    then:
      error: invalid-parameter

  - name: an unknown command is refused
    when:
      command: {type: reset}
    then:
      error: invalid-command

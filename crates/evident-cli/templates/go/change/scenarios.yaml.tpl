# Scenarios for {{name}}, run with: evident test . scenarios.yaml
scenarios:
  - name: an increment emits an event
    when:
      command: {type: increment, by: 3}
    then:
      events:
        - {type: counter.incremented, id: counter-3, data: {by: 3, value: 3}}

  - name: the counter goes on from its state, in CBOR too
    given:
      state: {value: 5}
    when:
      command: {type: increment, by: 2}
      command_format: cbor
    then:
      events:
        - {id: counter-7, data: {by: 2, value: 7}}

  - name: going over the limit is refused with a code
    parameters: {limit: "2"}
    when:
      command: {type: increment, by: 3}
    then:
      error: over-limit

  - name: an unknown command is refused
    when:
      command: {type: reset}
    then:
      error: unknown-command

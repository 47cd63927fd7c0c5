{"world": "state-change-component"}
